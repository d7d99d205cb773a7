"""How the demo company worked its cases: root causes, notes and closing messages.

Each story belongs to one of the generator's OX processes (``schema.PROCESSES``: delivery,
support, onboarding) and carries the root-cause tags an owner would set, pointing at the
process measure behind the complaint (``ox:delivery-delay`` ↔ ``delivery_delay_days``,
``ox:first-response-time`` ↔ ``first_response_minutes`` …), the internal note written on
resolving it (in English; ``case_notes`` holds it in Russian and Hungarian for a demo in
those languages) and the message telling the customer what changed, in each language the
demo's customers answer in.

Data only; :mod:`kano.demo.case_inbox` picks a story per case.
"""

from __future__ import annotations

from dataclasses import dataclass

from kano.demo.comment_texts import BODIES


@dataclass(frozen=True)
class CaseStory:
    process: str
    topics: tuple[str, ...]
    """Comment topics (``comments.TOPICS``) this story answers; a comment about one of
    them picks among the stories naming it."""
    root_causes: tuple[str, ...]
    note: str
    messages: dict[str, str]  # language → what changed, told to the customer


STORIES: tuple[CaseStory, ...] = (
    CaseStory(
        "delivery",
        ("delivery_late", "delivery"),
        ("ox:delivery-delay",),
        "Root cause: the route plan for this area had no slack. Re-planned with a fixed "
        "delivery window; drivers call ahead when the window slips.",
        {
            "en": "Thank you for telling us about the late delivery. We have moved your area "
            "to a new route plan with a fixed delivery window, and the driver now calls "
            "ahead if the window slips.",
            "ru": "Спасибо, что сообщили нам о задержке доставки. Мы перевели ваш район на "
            "новый график маршрутов с фиксированным окном доставки, и теперь водитель "
            "звонит заранее, если окно сдвигается.",
            "hu": "Köszönjük, hogy jelezte a késedelmes szállítást. Az Ön körzetét új "
            "útvonaltervre tettük át, rögzített szállítási időablakkal, és a sofőr előre "
            "telefonál, ha az időablak csúszik.",
        },
    ),
    CaseStory(
        "delivery",
        ("delivery_handling", "delivery"),
        ("ox:delivery-defects",),
        "Goods damaged in transit: the packing was not checked before loading. Packing "
        "check added at the depot; fragile goods are loaded separately.",
        {
            "en": "You were right: part of your order arrived damaged. Our depot now checks "
            "the packing of every site delivery before it leaves and loads fragile goods "
            "separately.",
            "ru": "Вы были правы: часть заказа пришла повреждённой. Теперь наш склад "
            "проверяет упаковку каждой доставки на объект перед отправкой, а хрупкие "
            "товары грузит отдельно.",
            "hu": "Igaza volt: a rendelése egy része sérülten érkezett. Raktárunk mostantól "
            "indulás előtt ellenőrzi minden helyszíni szállítás csomagolását, a törékeny "
            "árut pedig külön rakodjuk.",
        },
    ),
    CaseStory(
        "delivery",
        ("delivery_late", "delivery"),
        ("ox:delivery-delay", "ox:warehouse-handover"),
        "The hand-over from warehouse to fleet came too late in the day. It is now planned "
        "the evening before, with a text message to the customer.",
        {
            "en": "We looked into your delivery: the hand-over between our warehouse and "
            "our fleet caused the delay. It is now planned the evening before, and you get "
            "a text message with the arrival time.",
            "ru": "Мы разобрались с вашей доставкой: задержка возникла при передаче заказа "
            "со склада в автопарк. Теперь она планируется накануне вечером, и вы получаете "
            "SMS с временем прибытия.",
            "hu": "Megvizsgáltuk a szállítását: a késést a raktár és a flotta közötti átadás "
            "okozta. Ezt mostantól előző este megtervezzük, és Ön SMS-ben kapja meg az "
            "érkezés várható idejét.",
        },
    ),
    CaseStory(
        "support",
        ("support_slow", "support"),
        ("ox:first-response-time", "ox:call-wait-time"),
        "Hotline understaffed at peak hours, and e-mails waited over a day. Two people "
        "added at peak; e-mails get a first answer within four working hours.",
        {
            "en": "Thank you for your feedback on our support. Two more people now answer "
            "the hotline at peak hours, and every e-mail gets a first answer within four "
            "working hours.",
            "ru": "Спасибо за ваш отзыв о нашей поддержке. В часы пик на горячей линии "
            "теперь работают на два сотрудника больше, а на каждое письмо мы отвечаем в "
            "течение четырёх рабочих часов.",
            "hu": "Köszönjük visszajelzését az ügyfélszolgálatunkról. Csúcsidőben két "
            "további munkatárs veszi fel a telefont, és minden e-mailre négy munkaórán "
            "belül válaszolunk.",
        },
    ),
    CaseStory(
        "support",
        ("support_unresolved", "support"),
        ("ox:first-contact-resolution",),
        "The request went through three agents before anyone could answer it. Requests "
        "like this now go straight to a specialist.",
        {
            "en": "Your question took us far too long to answer. Requests like yours now go "
            "straight to a specialist, so they are solved at the first contact instead of "
            "being passed around.",
            "ru": "Мы слишком долго отвечали на ваш вопрос. Теперь такие запросы сразу "
            "попадают к специалисту и решаются при первом обращении, без пересылок между "
            "сотрудниками.",
            "hu": "Túl sokáig tartott megválaszolni a kérdését. Az ilyen kérések mostantól "
            "egyenesen egy szakértőhöz kerülnek, így már az első megkeresésre megoldódnak, "
            "továbbküldözgetés nélkül.",
        },
    ),
    CaseStory(
        "support",
        ("support_slow", "support"),
        ("ox:first-response-time",),
        "The ticket sat in the shared queue unnoticed. Open tickets are now reviewed every "
        "morning, and their status shows on the web form.",
        {
            "en": "We went through your request with the support team. Open requests are "
            "now checked every morning, and you can see the status of yours on our web "
            "form.",
            "ru": "Мы разобрали ваше обращение вместе с командой поддержки. Теперь открытые "
            "запросы проверяются каждое утро, а статус своей заявки вы видите в веб-форме.",
            "hu": "Csapatunkkal áttekintettük a bejelentését. A nyitott kéréseket mostantól "
            "minden reggel átnézzük, és a webes űrlapon Ön is látja a bejelentése állapotát.",
        },
    ),
    CaseStory(
        "onboarding",
        ("onboarding",),
        ("ox:onboarding-time",),
        "Set-up stalled waiting for documents we had not asked for. New accounts now open "
        "within two working days; the checklist goes out in one e-mail up front.",
        {
            "en": "Thank you for telling us about your account set-up. We now open new "
            "accounts within two working days and send, in one e-mail, the list of what we "
            "still need from you.",
            "ru": "Спасибо, что рассказали нам о подключении вашей компании. Теперь мы "
            "заводим новых клиентов за два рабочих дня и одним письмом присылаем список "
            "того, что ещё нужно от вас.",
            "hu": "Köszönjük, hogy jelezte a fiókja beállításával kapcsolatos gondokat. Az "
            "új ügyfélfiókokat mostantól két munkanapon belül megnyitjuk, és egyetlen "
            "e-mailben küldjük el, mire van még szükségünk.",
        },
    ),
    CaseStory(
        "onboarding",
        ("onboarding",),
        ("ox:onboarding-time", "ox:onboarding-ownership"),
        "Nobody owned the new account between sales and credit control. A named "
        "onboarding contact now follows each new customer.",
        {
            "en": "Setting up your account took too long. A named onboarding contact now "
            "looks after each new customer from the first order until the account is "
            "complete.",
            "ru": "Оформление вашего аккаунта заняло слишком много времени. Теперь каждого "
            "нового клиента с первого заказа до полного подключения ведёт персональный "
            "менеджер.",
            "hu": "A fiókja beállítása túl sokáig tartott. Mostantól minden új ügyfelet egy "
            "kijelölt kapcsolattartó kísér az első rendeléstől a fiók teljes beállításáig.",
        },
    ),
    CaseStory(
        "onboarding",
        ("onboarding",),
        ("ox:onboarding-time",),
        "Credit check and price list were prepared one after the other. Now in parallel, "
        "which halves the wait.",
        {
            "en": "We have simplified our account set-up: the credit check and your price "
            "list are now prepared at the same time rather than one after the other, which "
            "halves the waiting time.",
            "ru": "Мы упростили подключение новых клиентов: проверка кредитного лимита и "
            "подготовка прайс-листа теперь идут одновременно, а не друг за другом, — "
            "ожидание сократилось вдвое.",
            "hu": "Egyszerűsítettük a fiókok beállítását: a hitelkeret-ellenőrzés és az "
            "árlista elkészítése most párhuzamosan történik, nem egymás után, így a "
            "várakozás a felére csökkent.",
        },
    ),
)

FIRST_CONTACT_NOTES = (
    "Called the customer and apologised; collecting the order details.",
    "Left a voicemail and sent an e-mail; the customer replied with the order number.",
    "Spoke to the customer's buyer; checking the records with the team.",
    "Customer reached by phone; agreed to come back with what we find.",
)

# A touchpoint's journey stage → the process behind it (``company.STAGES``): a hard
# order goes to support's help; the other stages (renewal, the relationship survey …)
# take the process their comment names, else a likely one.
STAGE_PROCESS = {"delivery": "delivery", "support": "support", "onboarding": "onboarding"}
STAGE_FALLBACK = {"purchase": "support"}
PROCESS_WEIGHTS = {"delivery": 0.55, "support": 0.3, "onboarding": 0.15}


def _topic_of_body() -> list[tuple[str, str]]:
    """Every comment body of the generator (all languages and sentiments) with its topic,
    the longest first (so a body that starts another is tried after it)."""
    pairs = {
        body: topic
        for by_topic in BODIES.values()
        for topic, by_sentiment in by_topic.items()
        for bodies in by_sentiment
        for body in bodies
    }
    return sorted(pairs.items(), key=lambda pair: -len(pair[0]))


TOPIC_OF_BODY = _topic_of_body()
_TOPIC_PROCESS = {"delivery": "delivery", "support": "support", "onboarding": "onboarding"}


def comment_topic(comment: str | None) -> str | None:
    """The generator's topic of a demo comment (a body plus a closer), None when unknown."""
    if not comment:
        return None
    for body, topic in TOPIC_OF_BODY:
        if comment.startswith(body):
            return topic
    return None


def process_of_topic(topic: str | None) -> str | None:
    if topic is None:
        return None
    return _TOPIC_PROCESS.get(topic.split("_")[0])
