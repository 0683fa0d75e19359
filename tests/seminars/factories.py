"""Factories for seminar tests."""

import datetime

import factory
from django.utils import timezone

from seminars.models import Application, Event, Question, Survey


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    kind = Event.Kind.WEBINAR
    title = factory.Sequence(lambda n: f"テストセミナー{n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    summary = "マネジメント指導ツールの紹介"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    capacity = 100
    status = Event.Status.OPEN
    online_url = "https://example.jp/join/secret-room"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    event = factory.SubFactory(EventFactory)
    status = Application.Status.CONFIRMED
    name = factory.Sequence(lambda n: f"申込者{n}")
    name_kana = "モウシコミシャ"
    email = factory.Sequence(lambda n: f"applicant{n}@example.jp")


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    event = factory.SubFactory(
        EventFactory, starts_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))
    )


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    kind = Question.Kind.SINGLE
    text = factory.Sequence(lambda n: f"質問{n}")
    options = "はい\nいいえ"
    order = factory.Sequence(lambda n: n)
