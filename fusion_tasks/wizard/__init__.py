from . import fusion_technician_task_cannot_do
