"""Forms of the Collection page: API tokens, MQTT subscriptions and Modbus devices of one site."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cleanprod.metering.models import Meter
from cleanprod.organization.models import Site

from .collection.modbus_decode import REGISTER_COUNTS
from .models import ApiToken, ModbusDevice, MqttSubscription, MqttTopicMeter, RegisterMap

MQTT_WILDCARDS = ("+", "#")


# The collection page shows all these forms at once, so each gets its own HTML id prefix
# (auto_id); the POST field names stay plain.


class TokenForm(forms.ModelForm[ApiToken]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_token_%s")
        super().__init__(*args, **kwargs)

    class Meta:
        model = ApiToken
        fields = ["name"]


class SubscriptionForm(forms.ModelForm[MqttSubscription]):
    class Meta:
        model = MqttSubscription
        fields = ["topic_filter", "payload_format", "meter_level", "enabled"]

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self._meta.model._meta.model_name}_%s")
        super().__init__(*args, **kwargs)
        self.instance.site = site

    def clean_topic_filter(self) -> str:
        topic_filter = str(self.cleaned_data["topic_filter"]).strip()
        levels = topic_filter.split("/")
        for position, level in enumerate(levels):
            wildcard_inside = any(mark in level for mark in MQTT_WILDCARDS) and level not in MQTT_WILDCARDS
            if wildcard_inside or (level == "#" and position != len(levels) - 1):
                raise ValidationError(
                    _("“%(filter)s” is not a valid topic filter: + and # must fill a whole level, and # must be last."),
                    code="invalid_topic_filter",
                    params={"filter": topic_filter},
                )
        return topic_filter


class TopicMeterForm(forms.ModelForm[MqttTopicMeter]):
    class Meta:
        model = MqttTopicMeter
        fields = ["topic", "meter_code"]

    def __init__(self, *args: Any, subscription: MqttSubscription, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_topic_{subscription.pk}_%s")
        super().__init__(*args, **kwargs)
        self.instance.subscription = subscription

    def clean_meter_code(self) -> str:
        code = str(self.cleaned_data["meter_code"]).strip()
        if not Meter.objects.filter(site_id=self.instance.subscription.site_id, code=code).exists():
            raise ValidationError(
                _("No meter with code %(code)s exists at this site; enter the code of one of its meters."),
                code="unknown_meter",
                params={"code": code},
            )
        return code


class DeviceForm(forms.ModelForm[ModbusDevice]):
    class Meta:
        model = ModbusDevice
        fields = ["name", "host", "port", "unit_id", "poll_seconds", "enabled"]

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self._meta.model._meta.model_name}_%s")
        super().__init__(*args, **kwargs)
        self.instance.site = site

    def clean_unit_id(self) -> int:
        unit_id = int(self.cleaned_data["unit_id"])
        if unit_id > 247:
            raise ValidationError(_("The unit id must be 0–247."), code="invalid_unit_id")
        return unit_id

    def clean_port(self) -> int:
        port = int(self.cleaned_data["port"])
        if not 1 <= port <= 65535:
            raise ValidationError(_("The port must be 1–65535."), code="invalid_port")
        return port


class RegisterForm(forms.ModelForm[RegisterMap]):
    class Meta:
        model = RegisterMap
        fields = ["meter", "address", "register_kind", "data_type", "word_order", "scale", "unit", "rated_power_kw"]

    def __init__(self, *args: Any, device: ModbusDevice, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_register_{device.pk}_%s")
        super().__init__(*args, **kwargs)
        self.instance.device = device
        meter_field = self.fields["meter"]
        assert isinstance(meter_field, forms.ModelChoiceField)
        meter_field.queryset = Meter.objects.filter(site_id=device.site_id, is_virtual=False)

    def clean_address(self) -> int:
        address = int(self.cleaned_data["address"])
        count = REGISTER_COUNTS.get(str(self.data.get("data_type", "")), 1)
        if address + count > 65536:
            raise ValidationError(_("The address must be 0–65535, including every word of the value."), code="address")
        return address
