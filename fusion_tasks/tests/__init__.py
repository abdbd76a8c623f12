from . import test_availability
from . import test_availability_lib
from . import test_configuration
from . import test_task_hours_warning
from . import test_task_move
from . import test_technician_form
from . import test_technician_task
from . import test_time_labels
