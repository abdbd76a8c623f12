from . import maintenance_booking_wizard
from . import maintenance_booking_wizard_line
from . import maintenance_visit_finish
from . import maintenance_visit_not_done
from . import maintenance_backfill
from . import maintenance_backfill_line
from . import fusion_technician_task_on_my_way
from . import maintenance_booking_wizard_home_notes
