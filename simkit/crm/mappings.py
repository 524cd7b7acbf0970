"""Column mappings: how a CRM export's columns and labels map onto simkit's deal table.

Every importer produces the same *canonical deal table*, one row per
opportunity (or lead):

==========  ==================================================================
deal_id     the export's id (text)
rep         owner / sales agent (text)
created     when the deal entered the funnel (created, or engaged) - a timestamp
closed      when it was won or lost (NaT while open)
status      ``won``, ``lost`` or ``open``
stage       the export's stage label (the current one for open deals)
amount      deal value in 万 CNY (the export's value / ``amount_divisor``)
product, source, region, account   optional descriptive columns
==========  ==================================================================

A mapping names, for each canonical column, the export's column (the first
of several alternative spellings that is present), and says how to tell the
status: from stage labels (``won_labels`` / ``lost_labels`` / ``open_labels``)
or from Salesforce-style ``IsClosed`` / ``IsWon`` flags. Built-in mappings are
in :data:`MAPPINGS`; a planner's own one is a small TOML file (see
:func:`load_mapping`).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from simkit.model.errors import SimkitInputError

__all__ = ["CANONICAL", "MAPPINGS", "Mapping", "detect_mapping", "get_mapping", "load_mapping"]

CANONICAL = ("deal_id", "rep", "created", "closed", "status", "stage", "amount",
             "product", "source", "region", "account")
_REQUIRED = ("deal_id", "created")
_MAX_MAPPING_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Mapping:
    """How one export shape maps onto the canonical deal table."""

    name: str
    description: str
    # canonical column -> export column names to try, in order
    columns: dict[str, tuple[str, ...]]
    won_labels: tuple[str, ...] = ()
    lost_labels: tuple[str, ...] = ()
    open_labels: tuple[str, ...] = ()
    # Salesforce style: status from boolean columns instead of stage labels
    is_closed_column: tuple[str, ...] = ()
    is_won_column: tuple[str, ...] = ()
    # The export's close date of an *open* deal is an expected date (Salesforce,
    # HubSpot), not an event, so it is never read as a close.
    amount_divisor: float = 10_000.0
    # None: decided per date column from its values (see simkit.crm.parse)
    dayfirst: bool | None = None
    # None: the decimal mark of the amount column is decided from its values
    decimal: str | None = None
    # lead-level shape: a second file of wins joined on the id
    wins_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def lead_level(self) -> bool:
        return bool(self.wins_columns)

    def resolve(self, present: list[str], which: str = "columns") -> dict[str, str]:
        """Canonical name -> the export column actually present (only those found)."""
        spec = getattr(self, which)
        out = {}
        for canon, names in spec.items():
            for n in names:
                if n in present:
                    out[canon] = n
                    break
        return out

    def missing_required(self, present: list[str]) -> list[str]:
        got = self.resolve(present)
        need = list(_REQUIRED)
        if not self.lead_level:
            need += ["rep"]
            if self.is_closed_column:
                for col in (self.is_closed_column, self.is_won_column):
                    if not any(c in present for c in col):
                        need.append(col[0])
            else:
                need.append("stage")
        return [n for n in need if n not in got and n not in present]


MAPPINGS: dict[str, Mapping] = {
    "maven": Mapping(
        name="maven",
        description="Maven Analytics 'CRM Sales Opportunities' sales_pipeline.csv "
                    "(deal_stage Prospecting > Engaging > Won / Lost, engage_date as created)",
        columns={
            "deal_id": ("opportunity_id",), "rep": ("sales_agent",),
            "created": ("engage_date",), "closed": ("close_date",),
            "stage": ("deal_stage",), "amount": ("close_value",),
            "product": ("product",), "account": ("account",),
        },
        won_labels=("Won",), lost_labels=("Lost",), open_labels=("Prospecting", "Engaging"),
    ),
    "salesforce": Mapping(
        name="salesforce",
        description="Salesforce Opportunity report (API or report column names; "
                    "status from IsClosed / IsWon)",
        columns={
            "deal_id": ("Id", "Opportunity ID", "OpportunityId"),
            "rep": ("Owner", "Opportunity Owner", "OwnerName", "Owner.Name"),
            "created": ("CreatedDate", "Created Date"), "closed": ("CloseDate", "Close Date"),
            "stage": ("StageName", "Stage"), "amount": ("Amount",),
            "product": ("Product", "Product Name", "Type"),
            "source": ("LeadSource", "Lead Source"), "region": ("Region", "Owner Role"),
            "account": ("AccountName", "Account Name", "Account.Name"),
        },
        is_closed_column=("IsClosed", "Closed"), is_won_column=("IsWon", "Won"),
    ),
    "hubspot": Mapping(
        name="hubspot",
        description="HubSpot deals export (default sales pipeline labels)",
        columns={
            "deal_id": ("Record ID", "Deal ID"), "rep": ("Deal owner", "Deal Owner"),
            "created": ("Create Date", "Create date"), "closed": ("Close Date", "Close date"),
            "stage": ("Deal Stage", "Deal stage"), "amount": ("Amount",),
            "product": ("Deal Type", "Deal type"),
            "source": ("Original Source Type", "Original Source", "Deal source"),
            "region": ("Pipeline",), "account": ("Associated Company", "Company name"),
        },
        won_labels=("Closed Won", "closedwon"), lost_labels=("Closed Lost", "closedlost"),
        open_labels=("Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled",
                     "Decision Maker Bought-In", "Contract Sent", "appointmentscheduled",
                     "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin",
                     "contractsent"),
    ),
    "leads-wins": Mapping(
        name="leads-wins",
        description="lead list plus a file of won deals joined on the lead id; a lead "
                    "absent from the wins file was not won (Olist marketing-funnel shape)",
        columns={
            "deal_id": ("mql_id", "lead_id"), "created": ("first_contact_date", "created"),
            "source": ("origin", "source"), "rep": ("rep", "owner"),
        },
        wins_columns={
            "deal_id": ("mql_id", "lead_id"), "closed": ("won_date", "closed"),
            "amount": ("amount", "deal_value"),
            "product": ("business_segment", "product"),
        },
    ),
}


def get_mapping(name_or_path: str | Path) -> Mapping:
    """A built-in mapping by name, or a mapping TOML file by path."""
    key = str(name_or_path)
    if key in MAPPINGS:
        return MAPPINGS[key]
    p = Path(key)
    if p.suffix.lower() == ".toml":
        return load_mapping(p)
    raise SimkitInputError("--mapping", key,
                           "a built-in mapping (" + ", ".join(MAPPINGS) + ", auto) "
                           "or a mapping .toml file")


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file.

    ``name``, ``description``, ``[columns]`` (canonical name = export column or
    list of columns), ``won_labels`` / ``lost_labels`` / ``open_labels`` or
    ``is_closed_column`` / ``is_won_column``, ``amount_divisor``, ``dayfirst``
    (true / false; left out: decided from each date column), ``decimal`` ("." or ",";
    left out: decided from the amount column), ``[wins_columns]``. A key of the wrong
    type is refused with its name.
    """
    p = Path(path)
    if p.exists() and not p.is_file():
        raise SimkitInputError("--mapping", str(p), "a mapping .toml file (this is not a "
                               "regular file)")
    try:
        with open(p, "rb") as fh:
            raw = fh.read(_MAX_MAPPING_BYTES + 1)
        if len(raw) > _MAX_MAPPING_BYTES:
            raise SimkitInputError("--mapping", str(p), "a mapping file of at most 1 MB")
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except FileNotFoundError:
        raise SimkitInputError("--mapping", str(p), "an existing mapping .toml file") from None
    except (tomllib.TOMLDecodeError, RecursionError, UnicodeDecodeError) as exc:
        raise SimkitInputError("--mapping", str(p), f"valid UTF-8 TOML ({exc})") from None
    except OSError as exc:
        raise SimkitInputError("--mapping", str(p), f"a readable mapping file ({exc})") from None
    allowed = {f.name for f in fields(Mapping)}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SimkitInputError(f"{p}: {unknown[0]}", data[unknown[0]],
                               "one of the mapping keys " + ", ".join(sorted(allowed)))

    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            raise SimkitInputError(f"{p}: {key}", data[key], "a text in quotes")

    def names(key, v):
        if isinstance(v, str):
            return (v,)
        if isinstance(v, list) and (v or key.endswith("_labels")) and all(
                isinstance(x, str) for x in v):
            return tuple(v)
        raise SimkitInputError(f"{p}: {key}", v,
                               "a column or label name in quotes, or a list of them")

    def cols(d, key):
        if d is None:
            return {}
        if not isinstance(d, dict):
            raise SimkitInputError(f"{p}: {key}", d, "a table of canonical column = export column")
        bad = sorted(set(d) - set(CANONICAL))
        if bad:
            raise SimkitInputError(f"{p}: {key}.{bad[0]}", d[bad[0]],
                                   "a canonical column: " + ", ".join(CANONICAL))
        return {k: names(f"{key}.{k}", v) for k, v in d.items()}

    kw = dict(data)
    kw.setdefault("name", p.stem)
    kw.setdefault("description", f"mapping file {p.name}")
    kw["columns"] = cols(data.get("columns"), "columns")
    kw["wins_columns"] = cols(data.get("wins_columns"), "wins_columns")
    for key in ("won_labels", "lost_labels", "open_labels", "is_closed_column", "is_won_column"):
        if key in kw:
            kw[key] = names(key, kw[key])
    if "amount_divisor" in kw:
        v = kw["amount_divisor"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (
                math.isfinite(v) and v > 0):
            raise SimkitInputError(f"{p}: amount_divisor", v, "a finite number above 0")
    if "dayfirst" in kw and not isinstance(kw["dayfirst"], bool):
        raise SimkitInputError(f"{p}: dayfirst", kw["dayfirst"], "true or false")
    if "decimal" in kw and kw["decimal"] not in (".", ","):
        raise SimkitInputError(f"{p}: decimal", kw["decimal"], "\".\" or \",\"")
    return Mapping(**kw)


def detect_mapping(present: list[str]) -> Mapping:
    """The first built-in mapping whose required columns are all in the export."""
    for m in MAPPINGS.values():
        if not m.lead_level and not m.missing_required(present):
            return m
    raise SimkitInputError(
        "--mapping", "auto",
        "an export whose columns match a built-in mapping (" + ", ".join(MAPPINGS) + "); "
        f"columns found: {', '.join(present[:12])}",
        hint="Give --mapping NAME or a mapping .toml file.",
    )
