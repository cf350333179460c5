"""The upload form: site, file, column mapping and declared file options."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cleanprod.metering.models import BatchKind
from cleanprod.organization.models import Site

from .models import DataSource, Layout

# The parser reads delimited text and Excel 2007+ workbooks; legacy .xls is not supported.
UPLOAD_EXTENSIONS = ["csv", "tsv", "txt", "xlsx", "xlsm"]

DETECT = ("", _("detect from the file"))

# Select values are names, because a tab or a space does not survive as an option value.
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
THOUSANDS_SEPARATORS = {"none": "", "comma": ",", "point": ".", "space": " "}
DECIMAL_SEPARATORS = {"point": ".", "comma": ","}

MAPPING_FIELDS = (
    "layout",
    "timestamp_columns",
    "meter_column",
    "value_column",
    "unit_column",
    "meter_columns",
    "ignore_columns",
    "encoding",
    "delimiter",
    "decimal_separator",
    "thousands_separator",
    "date_order",
    "timestamp_format",
    "excel_date_system",
    "sheet",
    "header_row",
    "midnight_is_previous_day",
)


def split_list(text: str) -> list[str]:
    """Split comma-separated column headers, dropping blanks."""
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_meter_columns(text: str) -> dict[str, str]:
    """Parse lines of ``header=meter code`` into a mapping; raise ValidationError on a bad line."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        header, separator, code = line.partition("=")
        header, code = header.strip(), code.strip()
        if not separator or not header or not code:
            raise ValidationError(
                _("Line %(line)d “%(value)s” is not of the form header=meter code."),
                code="invalid_meter_column_line",
                params={"line": number, "value": line.strip()},
            )
        if header in mapping:
            raise ValidationError(
                _("Line %(line)d maps the column “%(value)s” a second time; keep one line per column."),
                code="duplicate_meter_column",
                params={"line": number, "value": header},
            )
        mapping[header] = code
    return mapping


def _key_for(choices: dict[str, str], value: object) -> str:
    """Return the select value for a stored option value, or "" (detect) if not declared."""
    if not isinstance(value, str):
        return ""
    for key, stored in choices.items():
        if stored == value:
            return key
    return ""


def source_form_values(source: DataSource) -> dict[str, Any]:
    """Return a data source's mapping as values of the import form's fields."""
    options = source.options or {}
    excel_date_system = options.get("excel_date_system")
    return {
        "site": source.site_id,
        "layout": source.layout,
        "timestamp_columns": ", ".join(source.timestamp_columns or []),
        "meter_column": source.meter_column,
        "value_column": source.value_column,
        "unit_column": source.unit_column,
        "meter_columns": "\n".join(f"{header}={code}" for header, code in (source.meter_columns or {}).items()),
        "ignore_columns": ", ".join(source.ignore_columns or []),
        "encoding": options.get("encoding") or "",
        "delimiter": _key_for(DELIMITERS, options.get("delimiter")),
        "decimal_separator": _key_for(DECIMAL_SEPARATORS, options.get("decimal_separator")),
        "thousands_separator": _key_for(THOUSANDS_SEPARATORS, options.get("thousands_separator")),
        "date_order": options.get("date_order") or "",
        "timestamp_format": options.get("timestamp_format") or "",
        "excel_date_system": str(excel_date_system) if excel_date_system else "",
        "sheet": options.get("sheet") or "",
        "header_row": options.get("header_row") or 1,
        "midnight_is_previous_day": bool(options.get("midnight_is_previous_day")),
    }


class ImportForm(forms.Form):
    # Labels stand on their own line above the field, so they need no colon.
    label_suffix = ""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"))
    data_source = forms.ModelChoiceField(
        queryset=DataSource.objects.none(),
        required=False,
        label=_("Saved data source"),
        help_text=_(
            "Fills in the layout, columns and file options saved for this source. If you leave "
            "the timestamp columns empty, the saved mapping is used as it is."
        ),
    )
    file = forms.FileField(
        label=_("File"),
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS)],
        help_text=_("A CSV, TSV or TXT export, or an Excel workbook (.xlsx, .xlsm)."),
    )

    kind = forms.ChoiceField(
        label=_("File contents"),
        choices=BatchKind.choices,
        initial=BatchKind.READINGS,
        required=False,
        help_text=_(
            "Production records need the columns organisation_unit, product, period_start, quantity and unit, "
            "and may have period_end and reference; the Chinese headers 组织单元, 产品, 开始日期, 结束日期, "
            "产量, 单位 and 单据号 work too. The column mapping below is not used for them."
        ),
    )
    layout = forms.ChoiceField(label=_("Layout"), choices=Layout.choices, initial=Layout.LONG)
    timestamp_columns = forms.CharField(
        label=_("Timestamp column(s)"),
        required=False,
        help_text=_(
            "Header of the timestamp column, or the headers of a date column and a time column separated by a comma."
        ),
    )
    meter_column = forms.CharField(label=_("Meter code column"), required=False, help_text=_("Long layout only."))
    value_column = forms.CharField(label=_("Value column"), required=False, help_text=_("Long layout only."))
    unit_column = forms.CharField(
        label=_("Unit column"),
        required=False,
        help_text=_("Long layout, optional. Without it, values are taken in each meter's unit."),
    )
    meter_columns = forms.CharField(
        label=_("Meter columns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "1#变压器=E-TR1"}),
        help_text=_(
            "Wide layout: one line per column, header=meter code. Leave empty when the column "
            "headers are the meter codes."
        ),
    )
    ignore_columns = forms.CharField(
        label=_("Ignored columns"),
        required=False,
        help_text=_("Wide layout: headers of columns that are not meters, separated by commas."),
    )

    encoding = forms.ChoiceField(
        label=_("Encoding"),
        required=False,
        choices=[DETECT, ("utf-8", "UTF-8"), ("gb18030", "GB18030"), ("gbk", "GBK"), ("utf-16", "UTF-16")],
    )
    delimiter = forms.ChoiceField(
        label=_("Delimiter"),
        required=False,
        choices=[
            DETECT,
            ("comma", _("comma (,)")),
            ("semicolon", _("semicolon (;)")),
            ("tab", _("tab")),
            ("pipe", _("vertical bar (|)")),
        ],
    )
    decimal_separator = forms.ChoiceField(
        label=_("Decimal separator"),
        required=False,
        choices=[DETECT, ("point", _("point (1234.5)")), ("comma", _("comma (1234,5)"))],
    )
    thousands_separator = forms.ChoiceField(
        label=_("Thousands separator"),
        required=False,
        choices=[
            DETECT,
            ("none", _("none")),
            ("comma", _("comma (1,234)")),
            ("point", _("point (1.234)")),
            ("space", _("space (1 234)")),
        ],
    )
    date_order = forms.ChoiceField(
        label=_("Date order"),
        required=False,
        choices=[
            DETECT,
            ("ymd", _("year-month-day (2024-03-01)")),
            ("dmy", _("day-month-year (01/03/2024)")),
            ("mdy", _("month-day-year (03/01/2024)")),
        ],
        help_text=_("Only for text timestamps such as 01/03/2024, which detection may not decide."),
    )
    timestamp_format = forms.CharField(
        label=_("Timestamp format"),
        required=False,
        help_text=_("Optional, a Python strptime format such as %Y/%m/%d %H:%M, when detection fails."),
    )
    excel_date_system = forms.ChoiceField(
        label=_("Excel date system"),
        required=False,
        choices=[
            ("", _("from the workbook")),
            ("1900", _("1900 (Windows)")),
            ("1904", _("1904 (older Mac workbooks)")),
        ],
    )
    sheet = forms.CharField(label=_("Sheet"), required=False, help_text=_("Excel only; empty means the first sheet."))
    header_row = forms.IntegerField(
        label=_("Header row"),
        required=False,
        min_value=1,
        initial=1,
        help_text=_("Row number of the column headers, as the spreadsheet shows it."),
    )
    midnight_is_previous_day = forms.BooleanField(
        label=_("00:00 closes the previous day"),
        required=False,
        help_text=_(
            "Turn on when the export labels the reading at 24:00 with the date of the day it "
            "closes, so that 2024-03-01 00:00 means the end of 1 March."
        ),
    )

    save_as_source = forms.CharField(
        label=_("Save mapping as data source"),
        required=False,
        max_length=100,
        help_text=_(
            "Name under which this mapping is saved for the next file from the same system. A "
            "source of the same name at this site is updated."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run"),
        required=False,
        initial=True,
        help_text=_(
            "Check the file and show the report without storing anything. You can then import "
            "it for real with one click."
        ),
    )
    replace_conflicts = forms.BooleanField(
        label=_("Replace conflicting values"),
        required=False,
        help_text=_(
            "When the file has a different value for a meter and time that already has a stored "
            "reading, store the file's value. The old value is kept in the reading history. "
            "Without this, such rows are rejected and the stored reading stays."
        ),
    )

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        source_field = self.fields["data_source"]
        assert isinstance(site_field, forms.ModelChoiceField)
        assert isinstance(source_field, forms.ModelChoiceField)
        site_field.queryset = sites.select_related("enterprise").order_by("name")
        source_field.queryset = (
            DataSource.objects.filter(site__in=sites).select_related("site").order_by("site__name", "name")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        site: Site | None = cleaned.get("site")
        source: DataSource | None = cleaned.get("data_source")
        if source is not None and site is not None and source.site_id != site.pk:
            self.add_error(
                "data_source",
                ValidationError(
                    _("The data source “%(value)s” belongs to another site; choose one of site %(site)s."),
                    code="source_other_site",
                    params={"value": source.name, "site": site.name},
                ),
            )
            return cleaned
        if cleaned.get("kind") == BatchKind.PRODUCTION:
            return cleaned
        if source is not None and not cleaned.get("timestamp_columns"):
            self._use_source_mapping(cleaned, source)
        self._check_mapping(cleaned)
        return cleaned

    def _use_source_mapping(self, cleaned: dict[str, Any], source: DataSource) -> None:
        values = source_form_values(source)
        for name in MAPPING_FIELDS:
            cleaned[name] = values[name]

    def _check_mapping(self, cleaned: dict[str, Any]) -> None:
        timestamp_columns = split_list(cleaned.get("timestamp_columns") or "")
        if not timestamp_columns:
            self.add_error(
                "timestamp_columns",
                ValidationError(_("Enter the header of the timestamp column."), code="required"),
            )
        elif len(timestamp_columns) > 2:
            self.add_error(
                "timestamp_columns",
                ValidationError(
                    _(
                        "“%(value)s” names %(count)d columns; give one timestamp column, or a date "
                        "column and a time column."
                    ),
                    code="too_many_timestamp_columns",
                    params={"value": cleaned.get("timestamp_columns"), "count": len(timestamp_columns)},
                ),
            )
        if cleaned.get("layout") == Layout.LONG:
            for name in ("meter_column", "value_column"):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(
                        name,
                        ValidationError(
                            _("The long layout needs this column; enter its header."),
                            code="required_for_long_layout",
                        ),
                    )
        try:
            cleaned["meter_columns_mapping"] = parse_meter_columns(cleaned.get("meter_columns") or "")
        except ValidationError as error:
            self.add_error("meter_columns", error)

    def file_options(self) -> dict[str, Any]:
        """Return the declared file options; options left on "detect" are not included."""
        data = self.cleaned_data
        options: dict[str, Any] = {}
        if data.get("encoding"):
            options["encoding"] = data["encoding"]
        if data.get("delimiter"):
            options["delimiter"] = DELIMITERS[data["delimiter"]]
        if data.get("decimal_separator"):
            options["decimal_separator"] = DECIMAL_SEPARATORS[data["decimal_separator"]]
        if data.get("thousands_separator"):
            # "none" becomes "", which declares that the file has no thousands separator.
            options["thousands_separator"] = THOUSANDS_SEPARATORS[data["thousands_separator"]]
        if data.get("date_order"):
            options["date_order"] = data["date_order"]
        if data.get("timestamp_format"):
            options["timestamp_format"] = data["timestamp_format"]
        if data.get("excel_date_system"):
            options["excel_date_system"] = int(data["excel_date_system"])
        if data.get("sheet"):
            options["sheet"] = data["sheet"].strip()
        if data.get("header_row") and data["header_row"] != 1:
            options["header_row"] = data["header_row"]
        if data.get("midnight_is_previous_day"):
            options["midnight_is_previous_day"] = True
        return options

    def start_import_arguments(self) -> dict[str, Any]:
        """Return the keyword arguments of ``services.start_import`` except user and upload."""
        data = self.cleaned_data
        if data.get("kind") == BatchKind.PRODUCTION:
            return {
                "site": data["site"],
                "kind": BatchKind.PRODUCTION,
                "options": self.file_options(),
                "dry_run": bool(data.get("dry_run")),
                "replace_conflicts": bool(data.get("replace_conflicts")),
            }
        is_long = data["layout"] == Layout.LONG
        return {
            "site": data["site"],
            "layout": data["layout"],
            "timestamp_columns": split_list(data["timestamp_columns"]),
            "meter_column": data["meter_column"].strip() if is_long else "",
            "value_column": data["value_column"].strip() if is_long else "",
            "unit_column": (data.get("unit_column") or "").strip() if is_long else "",
            "meter_columns": {} if is_long else data["meter_columns_mapping"],
            "ignore_columns": [] if is_long else split_list(data.get("ignore_columns") or ""),
            "options": self.file_options(),
            "data_source": data.get("data_source"),
            "save_as_source": (data.get("save_as_source") or "").strip(),
            "dry_run": bool(data.get("dry_run")),
            "replace_conflicts": bool(data.get("replace_conflicts")),
        }
