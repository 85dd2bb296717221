"""The repository layer over SQLModel: tables, repositories, engines, migrations."""
