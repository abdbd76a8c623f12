{
    "name": "Fusion Tasks",
    "version": "19.0.1.0.0",
    "summary": "Field technicians, their tasks and real-time availability",
    "category": "Services",
    "author": "Fusion",
    "license": "LGPL-3",
    "depends": ["mail", "resource", "calendar"],
    "data": [
        "security/fusion_tasks_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/mail_activity_type_data.xml",
        "wizard/fusion_technician_task_cannot_do_views.xml",
        "views/fusion_technician_skill_views.xml",
        "views/fusion_service_zone_views.xml",
        "views/fusion_technician_task_views.xml",
        "views/res_users_views.xml",
        "views/res_config_settings_views.xml",
        "views/fusion_tasks_menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "fusion_tasks/static/src/js/task_overlap_error_dialog.js",
        ],
    },
    "pre_init_hook": "_pre_init_fusion_tasks",
    "application": True,
}
