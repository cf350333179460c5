"""GET /api/sites/{id}/diagnosis and its priority list as an Excel workbook."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from cleanprod.diagnosis.analysis import Finding, ParetoResult, Sankey, empty_reason_message
from cleanprod.diagnosis.export import priority_workbook_bytes
from cleanprod.diagnosis.resources import rank_units_by_waste, rank_units_by_water
from cleanprod.diagnosis.services import Diagnosis, RankingPair, diagnose_site

from .errors import ErrorOut
from .indicators import factor_out
from .lookups import site_for
from .periods import PeriodQuery
from .schemas import (
    BalanceOut,
    DiagnosisOut,
    ExcludedItemOut,
    FindingOut,
    MeterEnergyOut,
    ParetoOut,
    PriorityOut,
    RankedItemOut,
    RankingPairOut,
    RankingsOut,
    SankeyLinkOut,
    SankeyNodeOut,
    SankeyOut,
    UndefinedOut,
    UnitEnergyOut,
)

router = Router(tags=["diagnosis"])

ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/sites/{site_id}/diagnosis",
    response={200: DiagnosisOut, **ERRORS},
    summary="Energy and CO2 diagnosis of a site",
)
def site_diagnosis(request: HttpRequest, site_id: int, query: Query[PeriodQuery]) -> DiagnosisOut:
    """Return rankings with Pareto analysis, the Sankey of the meter tree, meter balances, priorities and factors.

    Energy is in tce (GB/T 2589 coefficients); CO2 is that of purchased electricity only.
    """
    site = site_for(request, site_id)
    diagnosis = diagnose_site(site, query.start, query.end)
    water = rank_units_by_water(site, query.start, query.end)
    waste = rank_units_by_waste(site, query.start, query.end)
    return diagnosis_out(diagnosis, water, waste)


@router.get(
    "/sites/{site_id}/diagnosis/priorities.xlsx",
    response=ERRORS,
    summary="Priority list of a site's diagnosis as an Excel workbook",
    openapi_extra={
        "responses": {
            200: {
                "description": "The priority list, the factor versions used and the findings, one sheet each.",
                "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def site_priorities_xlsx(request: HttpRequest, site_id: int, query: Query[PeriodQuery]) -> HttpResponse:
    site = site_for(request, site_id)
    content = priority_workbook_bytes(diagnose_site(site, query.start, query.end))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"priorities-{site.code}-{query.start.isoformat()}-{query.end.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def finding_out(finding: Finding) -> FindingOut:
    return FindingOut(code=finding.code, subject=finding.subject, message=finding.message, evidence=finding.evidence)


def pareto_out(result: ParetoResult) -> ParetoOut:
    ranking = result.ranking
    vital = {ranked.rank for ranked in result.vital_few}
    reason = ranking.reason
    return ParetoOut(
        unit=ranking.unit,
        total=ranking.total,
        threshold_percent=result.threshold_percent,
        items=[
            RankedItemOut(
                rank=ranked.rank,
                name=ranked.item.name,
                key=ranked.item.key,
                value=ranked.item.value,
                share_percent=ranked.share_percent,
                cumulative_percent=ranked.cumulative_percent,
                vital=ranked.rank in vital,
            )
            for ranked in ranking.items
        ],
        excluded=[ExcludedItemOut(name=item.name, key=item.key, value=item.value) for item in ranking.excluded],
        empty_reason=UndefinedOut(reason=reason.value, message=empty_reason_message(reason)) if reason else None,
    )


def _pair_out(pair: RankingPair) -> RankingPairOut:
    return RankingPairOut(energy=pareto_out(pair.energy), co2=pareto_out(pair.co2))


def sankey_out(sankey: Sankey) -> SankeyOut:
    return SankeyOut(
        unit=sankey.unit,
        nodes=[SankeyNodeOut(name=name) for name in sankey.nodes],
        links=[SankeyLinkOut(source=link.source, target=link.target, value=link.value) for link in sankey.links],
        losses=[SankeyLinkOut(source=link.source, target=link.target, value=link.value) for link in sankey.losses],
    )


def diagnosis_out(diagnosis: Diagnosis, water: ParetoResult, waste: ParetoResult) -> DiagnosisOut:
    return DiagnosisOut(
        site_id=diagnosis.site_id,
        site_name=diagnosis.site_name,
        start=diagnosis.start,
        end=diagnosis.end,
        pareto_percent=diagnosis.pareto_percent,
        total_tce=diagnosis.total_tce,
        total_co2_t=diagnosis.total_co2_t,
        meters=[
            MeterEnergyOut(
                meter_id=meter.meter_id,
                code=meter.code,
                label=meter.label,
                resource=meter.resource_code,
                unit=meter.canonical_unit,
                organization_unit_id=meter.organization_unit_id,
                parent_id=meter.parent_id,
                quantity=meter.quantity,
                estimated=meter.estimated,
                suspect=meter.suspect,
                coverage_percent=meter.coverage_percent,
                energy_tce=meter.energy_tce,
                electricity_co2_t=meter.electricity_co2_t,
                energy_reason=meter.energy_reason,
                co2_reason=meter.co2_reason,
            )
            for meter in diagnosis.meters
        ],
        units=[
            UnitEnergyOut(
                unit_id=unit.unit_id,
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                parent_id=unit.parent_id,
                direct_tce=unit.direct_tce,
                total_tce=unit.total_tce,
                direct_co2_t=unit.direct_co2_t,
                total_co2_t=unit.total_co2_t,
                energy_reason=unit.energy_reason,
                co2_reason=unit.co2_reason,
            )
            for unit in diagnosis.units
        ],
        rankings=RankingsOut(
            units=_pair_out(diagnosis.unit_ranking),
            processes=_pair_out(diagnosis.process_ranking),
            equipment=_pair_out(diagnosis.equipment_ranking),
            water=pareto_out(water),
            waste=pareto_out(waste),
        ),
        sankey=sankey_out(diagnosis.sankey),
        balances=[
            BalanceOut(
                parent=balance.parent,
                parent_quantity=balance.parent_quantity,
                children_quantity=balance.children_quantity,
                unit=balance.unit,
                difference=balance.difference,
                difference_percent=balance.difference_percent,
                tolerance_percent=balance.tolerance_percent,
                finding=finding_out(balance.finding) if balance.finding else None,
            )
            for balance in diagnosis.balances
        ],
        priorities=[
            PriorityOut(
                rank=item.rank,
                unit_id=item.unit_id,
                code=item.code,
                name=item.name,
                kind=item.kind,
                energy_tce=item.energy_tce,
                energy_share_percent=item.energy_share_percent,
                electricity_co2_t=item.electricity_co2_t,
                co2_share_percent=item.co2_share_percent,
                in_energy_pareto=item.in_energy_pareto,
                in_co2_pareto=item.in_co2_pareto,
                reason=item.reason,
                factor_ids=[factor.factor_id for factor in item.factors],
            )
            for item in diagnosis.priorities
        ],
        findings=[finding_out(finding) for finding in diagnosis.findings],
        factors=[factor_out(factor) for factor in diagnosis.factors],
    )
