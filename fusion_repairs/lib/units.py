"""Counting physical units: one maintenance contract per unit sold or delivered.

ORM-free on purpose: the caller converts its quantity into the product's unit of
measure first (``uom._compute_quantity(qty, product.uom_id, round=False)``), this
module only says how many whole units that quantity stands for.
"""

import math

# a unit conversion leaves float noise (12 * (1 / 12) = 0.9999999999999999): it is
# rounded away at this precision before counting, so that it never makes or loses a unit
NOISE_DIGITS = 6


def whole_units(qty):
    """Number of physical units in ``qty`` (in the product's unit): a started unit
    counts (2.5 -> 3), nothing or a negative quantity is no unit (-> 0).

    >>> whole_units(2.5), whole_units(3.0), whole_units(12.000000000000002), whole_units(-1)
    (3, 3, 12, 0)
    """
    if not qty or qty < 0:
        return 0
    return math.ceil(round(qty, NOISE_DIGITS))
