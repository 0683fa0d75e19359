"""What search engines read from a 個票: schema.org JSON-LD (a Person with
areaServed and knowsAbout). Only what the expert publishes goes in."""

from __future__ import annotations

from .models import Supporter
from .taxonomy import NATIONWIDE_LABEL

JOB_TITLE = "情報処理安全確保支援士(登録セキスペ)"


def _area(supporter: Supporter) -> list[dict]:
    if supporter.nationwide:
        return [{"@type": "Country", "name": "日本", "alternateName": NATIONWIDE_LABEL}]
    labels = supporter.regions.labels() + supporter.prefectures.labels()
    return [
        {"@type": "AdministrativeArea", "name": label, "containedInPlace": {"@type": "Country", "name": "日本"}}
        for label in labels
    ]


def person_jsonld(supporter: Supporter, *, url: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": url,
        "url": url,
        "name": supporter.name,
        "identifier": {
            "@type": "PropertyValue",
            "propertyID": "情報処理安全確保支援士 登録番号",
            "value": supporter.registration_no,
        },
        "jobTitle": JOB_TITLE,
        "hasOccupation": {"@type": "Occupation", "name": JOB_TITLE},
        "areaServed": _area(supporter),
        "knowsAbout": supporter.themes.labels() + supporter.industries.labels(),
    }
    if supporter.public("name_kana"):
        data["alternateName"] = supporter.name_kana
    if supporter.public("email"):
        data["email"] = supporter.email
    if supporter.public("residence") and supporter.residence_prefecture:
        data["homeLocation"] = {"@type": "AdministrativeArea", "name": supporter.get_residence_prefecture_display()}
    if supporter.public("organization"):
        data["worksFor"] = {"@type": "Organization", "name": supporter.organization}
    if supporter.public("self_pr"):
        data["description"] = supporter.self_pr
    if supporter.public("url"):
        data["sameAs"] = [supporter.url]
    return data
