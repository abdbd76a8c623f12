from . import maintenance_booking
from . import certificate_verification
from . import maintenance_booking_triage
from . import maintenance_booking_history
from . import maintenance_booking_home_notes
