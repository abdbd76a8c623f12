from . import maintenance_booking
from . import certificate_verification
