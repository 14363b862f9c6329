"""Liferay's fit profile: complexity, security, enterprise, and a solution × industry matrix."""

from __future__ import annotations

from salesflow.buyer.fit import FitCriterion, FitProfile, MatrixCell, MatrixStrength

__all__ = ["liferay_fit"]

_REF, _ASSETS = MatrixStrength.REFERENCES, MatrixStrength.ASSETS

# The material's matrix is an image salesflow does not have; these cells are
# illustrative, drawn from the scenarios its text names (partner, supplier and
# B2B self-service portals; financial services, government and healthcare
# portals; account services behind a login). Replace them with your own.
_MATRIX = (
    ("Customer portal", "Financial services", _REF),
    ("Customer portal", "Insurance", _REF),
    ("Customer portal", "Healthcare", _ASSETS),
    ("Partner portal", "Manufacturing", _REF),
    ("Supplier portal", "Manufacturing", _ASSETS),
    ("B2B commerce", "Manufacturing", _REF),
    ("B2B commerce", "Distribution", _ASSETS),
    ("Public portal", "Government", _REF),
    ("Intranet", "Government", _ASSETS),
    ("Patient portal", "Healthcare", _REF),
)


def liferay_fit() -> FitProfile:
    """Where Liferay is strongest: complexity, security, enterprise scale (equal weights).

    After Liferay's sales-enablement material: the platform fits best where
    requirements are complex, security and access control matter, and
    enterprise scale and integration are expected ("better still if a
    prospect has all three"). Each criterion's evidence is ``none``,
    ``claimed`` (the buyer says so) or ``confirmed`` (seen in requirements
    or workshops). The matrix's cells are illustrative (the material's matrix
    is an image): replace them with your own references.

    >>> liferay_fit().strength("Public portal", "Government")
    <MatrixStrength.REFERENCES: 'references'>
    """
    return FitProfile(
        name="Liferay",
        criteria=(
            FitCriterion(
                "complexity",
                description="many user types (partner, supplier, B2B self-service portals), "
                "many processes and complex workflows, many integrations, B2B scenarios",
            ),
            FitCriterion(
                "security",
                description="high security and strict access control: financial services, "
                "government, healthcare, governance and compliance, account services behind "
                "a login",
            ),
            FitCriterion(
                "enterprise",
                description="many markets, users, customers, solutions and applications; "
                "flexibility a turnkey product cannot give",
            ),
        ),
        matrix=tuple(MatrixCell(s, i, strength) for s, i, strength in _MATRIX),
    )
