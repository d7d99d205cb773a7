"""Hungarian definitions of the built-in metrics, by metric id.

Kept beside the catalogue rather than in the gettext catalogues: a definition belongs to
its metric (``Metric.describe``), and ``building.metric`` refuses a built-in without one.
Numbers and scales are as in English; decimals take the Hungarian comma.
"""

from __future__ import annotations

_NEAREST_RANK = (
    "Legközelebbi rang szerinti percentilis (a legkisebb érték, amelynél az események "
    "legalább {p}%-a nem nagyobb), minden motoron azonos; nincs intervallum."
)
_COHORT = (
    "Kohorsz = azok az ügyfelek, akiknek első vásárlása az időszakra esett (az első "
    "vásárlás hónapja, negyedéve vagy éve); egy kohorsz akkor számít, ha a +{m}. hónapja "
    "már megfigyelhető. Wilson-intervallum."
)


def _cohort(months: int) -> dict[str, str]:
    after = f"az első vásárlás hónapja után {months} hónappal következő naptári hónapban"
    return {
        f"retention_m{months}": f"Egy első vásárlási kohorsz azon része, amely {after} "
        f"ismét vásárol. {_COHORT.format(m=months)}",
        f"churn_m{months}": f"100% − retention_m{months}: egy első vásárlási kohorsz azon "
        f"része, amely {after} nem vásárol. {_COHORT.format(m=months)}",
    }


DESCRIPTIONS: dict[str, str] = {
    # CX
    "nps": "Az ajánlók (9–10) %-os aránya mínusz a kritikusok (0–6) %-os aránya a 0–10-es "
    "kérdésre adott válaszok között; 95%-os intervallum: korrigált Wald-intervallum "
    "(Rocks, 2016) — a multinomiális variancia 100²[p + d − (p − d)²]/n, miután ¾ ajánló, "
    "¾ kritikus és 1½ semleges válaszadót hozzáadunk.",
    "csat": "A 4-es és 5-ös válaszok aránya az 1–5-ös elégedettségi skálán (Wilson-intervallum).",
    "ces": "Átlagos egyetértés (1–7) azzal, hogy „a cég megkönnyítette a dolgomat” "
    "(CES 2.0, így a magasabb érték kisebb erőfeszítést jelent); t-intervallum.",
    "ces_easy_share": "Az 5–7-es válaszok aránya a CES 2.0 válaszok között (Wilson-intervallum).",
    "rating_mean": "Az 1–5-ös értékelő kérdés átlaga, ahol megválaszolták; t-intervallum.",
    "responses": "A beérkezett kérdőíves válaszok száma.",
    "response_rate": "Azon rendelések aránya, amelyeket legalább egy kérdőíves válasz "
    "értékel (responses.transaction_id), a rendelés dátuma szerint. A meghívások nincsenek "
    "az adattárházban, ezért a rendelések helyettesítik őket; Wilson-intervallum.",
    "complaint_share": "A panasznak számító válaszok aránya: az ügyfél megjegyzést írt, és "
    "valamelyik skálán alacsony pontszámot adott (NPS 0–6, CSAT 1–2, értékelés 1–2 vagy "
    "CES 1–2). Az adatokban nincs panaszjelző; ez a szokásos helyettesítő mutató. "
    "Wilson-intervallum.",
    # TX
    "orders": "A rendelések (tranzakciók) száma.",
    "order_frequency": "Az egy ügyfélre jutó rendelések átlagos száma a bontásban rendelő "
    "ügyfelek körében (vásárlási gyakoriság); n = ügyfelek; t-intervallum.",
    "aov": "A bontás rendeléseinek átlagos összege (rendelésenkénti árbevétel); t-intervallum.",
    "margin_pct": "Árrésmix: 100 · Σ bruttó fedezet / Σ összeg a rendeléseken. Összegek "
    "hányadosa (a rendelések összegük szerint súlyozódnak); nincs intervallum.",
    "arpu": "A bontás árbevétele osztva a benne vásárló ügyfelek számával, azaz az aktív "
    "ügyfelenkénti átlagos árbevétel (a bontás időszakára); t-intervallum az ügyfelekre.",
    "active_customers": "A legalább egy rendeléssel rendelkező különböző ügyfelek száma a "
    "bontásban.",
    "repurchase_rate": "A bontásban vásárló ügyfelek közül azok aránya, akiknek ez nem az "
    "első vásárlásuk (az első rendelést a teljes előzményben keressük, nem csak a "
    "bontásban); Wilson-intervallum.",
    **_cohort(1),
    **_cohort(3),
    **_cohort(12),
    "lifetime_months": "LT: az időszakban fizető ügyfeleknél a vásárlást tartalmazó naptári "
    "hónapok (fizetős időszakok) átlagos száma az első vásárlástól az adott időszakig. Az "
    "eddig megfigyelt érték, így a fiatal ügyfelek lehúzzák; t-intervallum.",
    "ltv": "Profitképlet ügyfelenként: ARPU fizetős hónaponként × árrés % × LT "
    "(lifetime_months) az időszakban fizető ügyfelekre; a komponensek a három tényezőt "
    "adják. Nincs intervallum.",
    "share_of_wallet": "100 · Σ költés / Σ pénztárca a vásárlást tartalmazó ügyfélhónapokon, "
    "a pénztárca-becsléssel rendelkező ügyfeleknél (customers.wallet_estimate: a kategóriára "
    "becsült havi költés az összes beszállítónál; a wallet_estimate ügyfélattribútumból). "
    "Üres, ha egyik ügyfélnek sincs becslése; nincs intervallum.",
    "on_time_payment": "Az időszakban (a fizetési határidő szerint) esedékes fizetések "
    "közül a határidőig kifizetettek aránya; a ki nem fizetettek késettnek számítanak. "
    "Az utolsó rögzített fizetésnél későbbi határidejű fizetések kimaradnak, amíg a "
    "határidő el nem telik (kimenetelük még nem ismert). Wilson-intervallum.",
    # financial
    "revenue": "A bontás rendeléseinek Σ összege, ahogy rögzítették; n = rendelések.",
    "gross_margin": "A rendelések Σ bruttó fedezete; n = rendelések.",
    "profit_formula": "ügyfelek × konverzió × ARPU × árrés % − költség, felbontva: a "
    "komponensek az aktív ügyfelek, az ARPU és az árrés %. Az adattárházban nincsenek "
    "érdeklődők (leadek) és költségek, így a konverzió 1, a költség 0, és az érték a bruttó "
    "fedezettel egyenlő; az élettartam az ltv révén számít bele. n = ügyfelek.",
    # OX
    "on_time_delivery": "A legfeljebb 0 nap késésű szállítások aránya (Wilson-intervallum).",
    "delivery_delay_mean": "Átlagos szállítási késés napokban (negatív = korábban), "
    "eseményenként; t-intervallum.",
    "delivery_delay_p50": "A szállítási késés mediánja napokban (negatív = korábban). "
    + _NEAREST_RANK.format(p=50),
    "delivery_delay_p90": "A szállítási késés 90. percentilise napokban (negatív = "
    "korábban). " + _NEAREST_RANK.format(p=90),
    "first_response_mean": "Az ügyfélszolgálati megkeresés első válaszáig eltelt percek "
    "átlaga, eseményenként; t-intervallum.",
    "first_response_p50": "Az ügyfélszolgálati megkeresés első válaszáig eltelt percek "
    "mediánja. " + _NEAREST_RANK.format(p=50),
    "first_response_p90": "Az ügyfélszolgálati megkeresés első válaszáig eltelt percek "
    "90. percentilise. " + _NEAREST_RANK.format(p=90),
    "fcr_rate": "Az első kapcsolatfelvételkor megoldott ügyfélszolgálati megkeresések "
    "aránya (Wilson-intervallum).",
    "defect_rate": "Az ellenőrzött rendelések közül a legalább egy hibát tartalmazók aránya "
    "(a defects mérőszám eseményei, rendelésenként egy, érték = a hibák száma); "
    "Wilson-intervallum.",
    "onboarding_days_mean": "A szerződéskötéstől az első leszállított értékig eltelt napok "
    "átlaga; t-intervallum.",
    "call_wait_p90": "A hívók várakozási idejének 90. percentilise (legközelebbi rang) "
    "másodpercben; nincs intervallum.",
    # EX
    "enps": "NPS-képlet a pulzusfelmérés „ajánlanád-e ezt a munkahelyet” kérdésére "
    "(0–10): a 9–10-es válaszok %-a mínusz a 0–6-os válaszok %-a, multinomiális "
    "intervallummal.",
    "engagement": "Átlagos elkötelezettség, 1–5; t-intervallum.",
    "competency_coverage": "Azon pulzusfelmérések aránya, ahol a kompetenciapontszám (0–1: "
    "a szerephez szükséges készségek közül a meglévők aránya) legalább 0,7 — ekkor a "
    "szerep lefedettnek számít; Wilson-intervallum.",
    "training_hours": "A pulzusfelmérésenként jelentett képzési órák átlaga; t-intervallum.",
    "turnover": "Az időszak első napján állományban lévő munkavállalók közül az időszak "
    "során kilépők aránya (left_on az időszakban); bontás csapat és időszak szerint; "
    "Wilson-intervallum.",
}
