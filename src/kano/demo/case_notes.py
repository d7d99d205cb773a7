"""The internal notes of the demo's cases in Russian and Hungarian.

The notes a case owner writes (``case_stories``: the first contact, the root cause on
resolving) are in the company's working language, which is the language the demo is
written in (``kano demo --language``); the closing message to the customer is in the
customer's own language whatever that is (``CaseStory.messages``). The translations are
keyed by the English note, so the case inbox draws its notes exactly as in English and a
demo in another language gets the same cases; a test checks that every English note has
both translations and that none is stale.
"""

from __future__ import annotations

NOTES: dict[str, dict[str, str]] = {
    # case_stories.STORIES: the note written on resolving
    "Root cause: the route plan for this area had no slack. Re-planned with a fixed "
    "delivery window; drivers call ahead when the window slips.": {
        "ru": "Первопричина: в плане маршрутов для этого района не было резерва времени. "
        "Маршрут перепланирован с фиксированным окном доставки; если окно сдвигается, "
        "водители звонят заранее.",
        "hu": "Kiváltó ok: a körzet útvonaltervében nem volt tartalék idő. Újraterveztük "
        "rögzített szállítási időablakkal; ha az ablak csúszik, a sofőr előre telefonál.",
    },
    "Goods damaged in transit: the packing was not checked before loading. Packing "
    "check added at the depot; fragile goods are loaded separately.": {
        "ru": "Товар повреждён при перевозке: упаковку не проверили перед погрузкой. На "
        "складе введена проверка упаковки; хрупкие товары грузятся отдельно.",
        "hu": "Szállítás közben sérült áru: rakodás előtt senki nem ellenőrizte a "
        "csomagolást. A telephelyen bevezettük a csomagolás ellenőrzését; a törékeny árut "
        "külön rakodjuk.",
    },
    "The hand-over from warehouse to fleet came too late in the day. It is now planned "
    "the evening before, with a text message to the customer.": {
        "ru": "Передача товара со склада в службу доставки происходила слишком поздно. "
        "Теперь она планируется накануне вечером, а клиент получает SMS.",
        "hu": "A raktár túl későn adta át az árut a flottának. Mostantól előző este "
        "tervezzük, és az ügyfél SMS-t kap róla.",
    },
    "Hotline understaffed at peak hours, and e-mails waited over a day. Two people added "
    "at peak; e-mails get a first answer within four working hours.": {
        "ru": "В часы пик на горячей линии не хватало людей, а письма ждали ответа больше "
        "суток. В часы пик добавлены два сотрудника; на письма первый ответ даётся в "
        "течение четырёх рабочих часов.",
        "hu": "Csúcsidőben kevés volt az ember a forródróton, az e-mailek pedig több mint "
        "egy napot vártak. Csúcsidőre két munkatársat állítottunk be; az e-mailekre négy "
        "munkaórán belül megy az első válasz.",
    },
    "The request went through three agents before anyone could answer it. Requests like "
    "this now go straight to a specialist.": {
        "ru": "Запрос прошёл через трёх операторов, прежде чем на него смогли ответить. "
        "Такие запросы теперь сразу направляются специалисту.",
        "hu": "A kérés három munkatárson ment át, mire valaki választ tudott adni. Az "
        "ilyen kérések mostantól egyenesen szakértőhöz kerülnek.",
    },
    "The ticket sat in the shared queue unnoticed. Open tickets are now reviewed every "
    "morning, and their status shows on the web form.": {
        "ru": "Обращение незамеченным лежало в общей очереди. Открытые обращения теперь "
        "просматриваются каждое утро, а их статус виден в веб-форме.",
        "hu": "A bejelentés észrevétlenül állt a közös sorban. A nyitott bejelentéseket "
        "mostantól minden reggel átnézzük, és állapotuk látszik a webes űrlapon.",
    },
    "Set-up stalled waiting for documents we had not asked for. New accounts now open "
    "within two working days; the checklist goes out in one e-mail up front.": {
        "ru": "Подключение застопорилось в ожидании документов, которые мы не запросили. "
        "Новые клиенты теперь подключаются в течение двух рабочих дней; перечень "
        "документов отправляется заранее одним письмом.",
        "hu": "A beállítás olyan dokumentumokra várva akadt el, amelyeket nem is kértünk. "
        "Az új ügyfélfiókok mostantól két munkanapon belül megnyílnak; az ellenőrzőlistát "
        "előre, egyetlen e-mailben küldjük ki.",
    },
    "Nobody owned the new account between sales and credit control. A named onboarding "
    "contact now follows each new customer.": {
        "ru": "Между отделом продаж и кредитным контролем за нового клиента никто не "
        "отвечал. Теперь каждого нового клиента ведёт назначенный менеджер по подключению.",
        "hu": "Az értékesítés és a követeléskezelés között senki sem felelt az új "
        "ügyfélfiókért. Mostantól minden új ügyfelet egy kijelölt bevezetési kapcsolattartó "
        "kísér.",
    },
    "Credit check and price list were prepared one after the other. Now in parallel, "
    "which halves the wait.": {
        "ru": "Проверка кредитного лимита и прайс-лист готовились друг за другом. Теперь "
        "параллельно, и ожидание сократилось вдвое.",
        "hu": "A hitelkeret-ellenőrzés és az árlista egymás után készült. Most "
        "párhuzamosan, így a várakozás a felére csökkent.",
    },
    # case_stories.FIRST_CONTACT_NOTES: the note of the first contact
    "Called the customer and apologised; collecting the order details.": {
        "ru": "Позвонили клиенту и извинились; собираем данные заказа.",
        "hu": "Felhívtuk az ügyfelet és elnézést kértünk; gyűjtjük a rendelés adatait.",
    },
    "Left a voicemail and sent an e-mail; the customer replied with the order number.": {
        "ru": "Оставили голосовое сообщение и отправили письмо; клиент ответил, указав "
        "номер заказа.",
        "hu": "Hangüzenetet hagytunk és e-mailt küldtünk; az ügyfél válaszában megadta a "
        "rendelésszámot.",
    },
    "Spoke to the customer's buyer; checking the records with the team.": {
        "ru": "Поговорили с закупщиком клиента; сверяем данные с командой.",
        "hu": "Beszéltünk az ügyfél beszerzőjével; a csapattal ellenőrizzük a nyilvántartást.",
    },
    "Customer reached by phone; agreed to come back with what we find.": {
        "ru": "Связались с клиентом по телефону; договорились сообщить, что выясним.",
        "hu": "Telefonon elértük az ügyfelet; megbeszéltük, hogy jelentkezünk, amint "
        "kiderítettük a részleteket.",
    },
}


def note_in(note: str, language: str) -> str:
    """``note`` (English, as ``case_stories`` writes it) in the demo's ``language``."""
    if language == "en":
        return note
    return NOTES[note][language]
