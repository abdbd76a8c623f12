from . import maintenance_booking
