from . import fusion_service_zone, fusion_technician_skill, fusion_technician_task, res_config_settings, res_users
