from tests.unit.api.conftest import engine  # noqa: F401
