"""Comment texts in Hungarian: closers by sentiment and bodies by topic.

Bodies are (negative, neutral, positive); problem topics (a late delivery, slow
support ...) have negative bodies only and borrow the rest from their family.
"""

from __future__ import annotations

CLOSERS: tuple[tuple[str, ...], ...] = (
    (
        "",
        " Nagyon csalódott vagyok.",
        " Kérem, intézzék el.",
        " Nem először fordul elő.",
        " Ez így nem elfogadható.",
    ),
    ("", " Összességében rendben volt.", " Semmi különös."),
    ("", " Köszönöm!", " Csak így tovább.", " Kiváló szolgáltatás."),
)

BODIES: dict[str, tuple[tuple[str, ...], ...]] = {
    "delivery_late": (
        (
            "A szállítás három napot késett.",
            "A rendelés késve érkezett, a brigád várt a helyszínen.",
            "Megint késett a szállítás, és nem szóltak.",
            "A raklap késett, senki nem értesített.",
            "A késés miatt leállt a gyártósor.",
        ),
    ),
    "delivery_handling": (
        (
            "A rendelés fele hiányzott.",
            "Több doboz sérülten érkezett.",
            "Rossz terméket szállítottak.",
            "Az áru törötten érkezett, vissza kellett küldeni.",
            "A szállítólevél nem egyezett a kapott áruval.",
        ),
    ),
    "delivery": (
        (
            "A sofőr udvariatlan volt.",
            "Senki nem szólt, mikor jön a teherautó.",
            "A szállítással csak a baj van.",
        ),
        (
            "A szállítás rendben volt.",
            "Az áru a vártnak megfelelően érkezett.",
            "A szállítás rendben, de a követés lehetne jobb.",
        ),
        (
            "Időben és hibátlan állapotban szállították.",
            "A sofőr kedves volt és segített a lerakodásban.",
            "Gyors szállítás, minden megvolt.",
            "Időben megérkezett, jól csomagolva.",
        ),
    ),
    "support_slow": (
        (
            "Két napot vártam a válaszra.",
            "Az ügyfélszolgálat túl lassan válaszol.",
            "Sokáig senki nem foglalkozott a kérésemmel.",
            "Órákig kellett várni az első válaszra.",
        ),
    ),
    "support_unresolved": (
        (
            "Nem oldották meg a problémámat, újra kellett hívnom.",
            "Az ügyintéző nem tudott segíteni.",
            "Egyik kollégától a másikhoz kapcsoltak.",
        ),
    ),
    "support": (
        ("Az ügyfélszolgálat nem segített.", "A válasz nem a kérdésemre szólt."),
        ("Az ügyfélszolgálat válaszolt a kérdésemre.", "Végül megoldották az ügyet."),
        (
            "Gyors és hasznos válasz az ügyfélszolgálattól.",
            "Az ügyintéző azonnal megoldotta a problémát.",
            "Nagyon hozzáértő ügyfélszolgálat.",
        ),
    ),
    "web": (
        (
            "A webshop folyton kiléptet.",
            "A fizetés kétszer is meghiúsult.",
            "Nehéz megtalálni a terméket a honlapon.",
            "A webshop árai nem egyeztek az ajánlattal.",
        ),
        ("Az online rendelés rendben ment.", "A honlap működik, de a keresés lehetne jobb."),
        (
            "Az online rendelés gyors és egyszerű.",
            "Remek webshop, könnyű újrarendelni.",
            "Percek alatt mindent megtaláltam.",
        ),
    ),
    "store": (
        (
            "Hosszú sor a pultnál.",
            "A fióktelepen nem volt készleten a termék.",
            "A fióktelep dolgozóit nem érdekelte.",
        ),
        ("Átlagos látogatás a fióktelepen.", "Megkaptam, amiért mentem."),
        (
            "Kedves és hozzáértő kollégák a fióktelepen.",
            "Öt perc alatt végeztem.",
            "Jó tanácsot kaptam a pultnál.",
        ),
    ),
    "onboarding": (
        (
            "A fiók létrehozása túl sokáig tartott.",
            "Háromszor kellett elküldenünk ugyanazokat a dokumentumokat.",
            "A hitelkeret jóváhagyása kínosan lassú volt.",
        ),
        ("A regisztráció rendben volt.", "Szokásos beállítási folyamat."),
        ("A fiókunk egy nap alatt elkészült.", "Zökkenőmentes beállítás, világos útmutató."),
    ),
    "relationship": (
        (
            "Az árak folyamatosan emelkednek.",
            "A kapcsolattartónk ritkán jelentkezik.",
            "Megbízhatatlan szállítások, más beszállítót keresünk.",
            "Túl sok hiba van a számlákon.",
        ),
        ("Korrekt beszállító.", "Az árak elfogadhatók, a szolgáltatás átlagos."),
        (
            "Megbízható partner, ajánljuk.",
            "Remek választék és korrekt árak.",
            "A kapcsolattartónk nagyon ismeri az üzletünket.",
        ),
    ),
}
