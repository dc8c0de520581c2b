"""Every route declares its roles; the wrong role is refused."""

import pytest

PUBLIC_ENDPOINTS = {
    "static",
    "security.static",
    "security.login",
    "security.logout",
    "security.verify",
    "security.change_password",
}


def test_every_route_declares_its_roles(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "chainlight_roles", None):
            missing.append(f"{rule.endpoint} {rule.rule}")
    assert missing == [], "routes without roles_allowed/public: " + ", ".join(missing)


def _get_routes(app):
    """(endpoint, url) for every parameterless GET route that declares roles."""
    from flask import url_for

    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            roles = getattr(view, "chainlight_roles", None)
            if not roles or "public" in roles or rule.arguments or "GET" not in rule.methods:
                continue
            routes.append((rule.endpoint, url_for(rule.endpoint), roles))
    return routes


@pytest.mark.parametrize("role", ["admin", "analyst", "executive", "supplier"])
def test_each_role_reaches_exactly_its_routes(app, client, login_as, role):
    login_as(role)
    for endpoint, url, roles in _get_routes(app):
        status = client.get(url).status_code
        if role in roles:
            assert status in (200, 302), f"{role} should reach {endpoint} ({url}), got {status}"
        else:
            assert status == 403, f"{role} must be refused {endpoint} ({url}), got {status}"


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("analyst", 200), ("executive", 200), ("supplier", 403)],
)
def test_portfolio_view_is_for_staff(app, client, login_as, role, status):
    login_as(role)
    assert client.get("/portfolio").status_code == status


# Routes whose roles are part of the product's promises, checked by name so a change is seen.
EXPECTED_ROLES = {
    "suppliers.risk": ("admin", "analyst", "executive"),  # supplier contacts never see scores
    "admin.settings": ("admin",),
    "main.portfolio": ("admin", "analyst", "executive"),
}


def test_risk_and_settings_routes_keep_their_roles(app):
    for endpoint, roles in EXPECTED_ROLES.items():
        assert app.view_functions[endpoint].chainlight_roles == roles, endpoint
