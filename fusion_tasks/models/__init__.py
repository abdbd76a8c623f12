from . import fusion_service_zone, fusion_technician_skill, fusion_technician_task
from . import fusion_technician_task_availability
from . import res_config_settings, res_users
