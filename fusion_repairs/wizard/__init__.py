from . import maintenance_booking_wizard
from . import maintenance_booking_wizard_line
