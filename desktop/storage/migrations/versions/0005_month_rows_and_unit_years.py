"""Rows of any kind in a month, and a unit's items of a data year.

Schema 0001–0004 held one table of rows per month, the fuels burnt (``fuel_rows``).  A guideline's form
now declares the tables a month holds (fuels, alternative raw materials, carbonates ...): ``month_rows``
keeps each row with its kind.  Every fuel row is copied with kind ``fuels``, the same id, position and
values, so evidence links (``fuels[0]``) and the audit log keep pointing at the same rows.

``unit_years`` holds the form's "unit_year" items (a line's prior-year verified emissions, ...); existing
workspaces have none.

A lab report's metadata (laboratory, accreditation, report no., dates, QR code) were seven fixed columns of
``evidence``; they become one JSON object (``lab_json``) keyed by the form's lab fields, as the rows of a
month keep their values.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 11:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.storage import codec

LAB_COLUMNS = (
    "lab_name",
    "lab_accreditation_no",
    "report_no",
    "sample_received_date",
    "test_date",
    "report_date",
    "qr_present",
)
_EVIDENCE = sa.table(
    "evidence",
    sa.column("id", sa.String),
    sa.column("lab_json", sa.Text),
    sa.column("lab_name", sa.String),
    sa.column("lab_accreditation_no", sa.String),
    sa.column("report_no", sa.String),
    sa.column("sample_received_date", sa.Date),
    sa.column("test_date", sa.Date),
    sa.column("report_date", sa.Date),
    sa.column("qr_present", sa.Boolean),
)

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "month_rows",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("month_version_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("values_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["month_version_id"], ["month_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_month_rows_month", "month_rows", ["month_version_id"])
    op.execute(
        "INSERT INTO month_rows (id, workspace_id, month_version_id, kind, position, values_json) "
        "SELECT id, workspace_id, month_version_id, 'fuels', position, values_json FROM fuel_rows"
    )
    op.drop_index("ix_fuel_rows_month", table_name="fuel_rows")
    op.drop_table("fuel_rows")
    op.create_table(
        "unit_years",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("data_year", sa.Integer(), nullable=False),
        sa.Column("values_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "data_year", name="uq_unit_years"),
    )
    op.add_column("evidence", sa.Column("lab_json", sa.Text(), nullable=False, server_default="{}"))
    bind = op.get_bind()
    for row in bind.execute(sa.select(_EVIDENCE)).mappings().all():
        lab = {k: row[k] for k in LAB_COLUMNS if row[k] is not None}
        if lab:
            bind.execute(_EVIDENCE.update().where(_EVIDENCE.c.id == row["id"]).values(lab_json=codec.dumps(lab)))
    for column in LAB_COLUMNS:
        _drop_column("evidence", column)


def _drop_column(table: str, column: str) -> None:
    """In place on SQLite too (3.35+): a batch copy would drop a table other tables point at."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column(table, column)


def downgrade() -> None:
    for name, kind in (
        ("lab_name", sa.String(200)),
        ("lab_accreditation_no", sa.String(100)),
        ("report_no", sa.String(100)),
        ("sample_received_date", sa.Date()),
        ("test_date", sa.Date()),
        ("report_date", sa.Date()),
        ("qr_present", sa.Boolean()),
    ):
        op.add_column("evidence", sa.Column(name, kind, nullable=True))
    bind = op.get_bind()
    for row in bind.execute(sa.select(_EVIDENCE.c.id, _EVIDENCE.c.lab_json)).mappings().all():
        lab = codec.loads(row["lab_json"] or "{}")
        values = {k: lab[k] for k in LAB_COLUMNS if k in lab}
        if values:
            bind.execute(_EVIDENCE.update().where(_EVIDENCE.c.id == row["id"]).values(**values))
    _drop_column("evidence", "lab_json")
    op.drop_table("unit_years")
    op.create_table(
        "fuel_rows",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("month_version_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("values_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["month_version_id"], ["month_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fuel_rows_month", "fuel_rows", ["month_version_id"])
    op.execute(
        "INSERT INTO fuel_rows (id, workspace_id, month_version_id, position, values_json) "
        "SELECT id, workspace_id, month_version_id, position, values_json FROM month_rows WHERE kind = 'fuels'"
    )
    op.drop_index("ix_month_rows_month", table_name="month_rows")
    op.drop_table("month_rows")
