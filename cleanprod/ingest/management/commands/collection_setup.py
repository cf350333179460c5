"""`cleanprod collection_setup SITE`: create an API token and/or an MQTT subscription for a site from the shell."""

import time
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cleanprod.ingest.collection.tokens import create_token
from cleanprod.ingest.models import MqttSubscription, PayloadFormat
from cleanprod.organization.models import Site


class Command(BaseCommand):
    help = (
        "Create an API token (the secret is printed once, alone on the last line) and/or an MQTT subscription "
        "for the site with the given code. An existing subscription with the same topic filter is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("site", help="Site code, e.g. steel-gwangyang.")
        parser.add_argument("--token", metavar="NAME", help="Create an API token with this name.")
        parser.add_argument("--user", help="Username recorded as the token's creator.")
        parser.add_argument("--mqtt-topic", metavar="FILTER", help="Subscribe to this MQTT topic filter.")
        parser.add_argument(
            "--payload-format",
            choices=PayloadFormat.values,
            default=PayloadFormat.JSON_OBJECT,
            help="MQTT payload format.",
        )
        parser.add_argument("--meter-level", type=int, help="Topic level (from 1) that contains the meter code.")
        parser.add_argument(
            "--wait-subscribed",
            type=float,
            metavar="SECONDS",
            help="Wait up to this many seconds until a running `cleanprod mqtt` has subscribed to --mqtt-topic.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            site = Site.objects.get(code=options["site"])
        except Site.DoesNotExist:
            codes = ", ".join(Site.objects.order_by("code").values_list("code", flat=True)) or "none"
            raise CommandError(f"No site with code {options['site']!r}; existing codes: {codes}.") from None
        if not options["token"] and not options["mqtt_topic"]:
            raise CommandError("Nothing to do: give --token NAME, --mqtt-topic FILTER or both.")

        if options["mqtt_topic"]:
            subscription, created = MqttSubscription.objects.get_or_create(
                site=site,
                topic_filter=options["mqtt_topic"],
                defaults={"payload_format": options["payload_format"], "meter_level": options["meter_level"]},
            )
            state = "created" if created else "exists already"
            self.stdout.write(f"MQTT subscription {subscription.topic_filter} ({subscription.payload_format}) {state}.")
            if options["wait_subscribed"] is not None:
                self._wait_subscribed(subscription, options["wait_subscribed"])
        if options["token"]:
            user = User.objects.filter(username=options["user"]).first() if options["user"] else None
            if options["user"] and user is None:
                raise CommandError(f"No user {options['user']!r}.")
            token, secret = create_token(site, options["token"], user)
            self.stdout.write(f"API token {token.name!r} created for {site.code}; the secret is not shown again:")
            self.stdout.write(secret)

    def _wait_subscribed(self, subscription: MqttSubscription, timeout: float) -> None:
        if not subscription.enabled:
            raise CommandError(f"MQTT subscription {subscription.topic_filter} is disabled; enable it first.")
        self.stdout.write(
            f"Waiting up to {timeout:.0f} s for the MQTT collector to subscribe to {subscription.topic_filter} ..."
        )
        deadline = time.monotonic() + timeout
        while True:
            subscription.refresh_from_db(fields=["subscribed_at"])
            if subscription.subscribed_at is not None:
                self.stdout.write(
                    f"The MQTT collector subscribed at {subscription.subscribed_at:%Y-%m-%d %H:%M:%S %Z}."
                )
                return
            if time.monotonic() >= deadline:
                raise CommandError(
                    f"The MQTT collector has not subscribed to {subscription.topic_filter} within {timeout:.0f} s. "
                    "Start it with `manage.py mqtt` (one instance per --client-id) and run this again."
                )
            time.sleep(0.5)
