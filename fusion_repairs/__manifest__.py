{  # noqa: B018
    "name": "Fusion Repairs – Maintenance",  # noqa: RUF001
    "version": "19.0.2.3.0",
    "category": "Services",
    "summary": "Recurring, priced preventive maintenance for sold equipment, "
    "with due reminders and self-serve booking",
    "author": "Fusion Repairs",
    "website": "https://github.com/fusion/fusion_repairs",
    "license": "LGPL-3",
    "depends": [
        "fusion_tasks",
        "repair",
        "sale_management",
        "sale_stock",
        "website",
        "portal",
        "calendar",
        "mail",
    ],
    "data": [
        "security/fusion_repairs_security.xml",
        "security/ir.model.access.csv",
        "wizard/maintenance_booking_wizard_views.xml",
        "views/repair_product_category_views.xml",
        "views/maintenance_contract_views.xml",
        "views/product_template_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "views/fusion_repairs_menus.xml",
        "views/maintenance_contract_booking_views.xml",
        "views/fusion_technician_task_views.xml",
        "views/maintenance_booking_templates.xml",
        "data/ir_sequence_data.xml",
        "data/mail_activity_type_data.xml",
        "data/mail_template_data.xml",
        "data/mail_template_booking_data.xml",
        "data/ir_cron.xml",
    ],
    "demo": [
        "demo/maintenance_demo.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "fusion_repairs/static/src/scss/maintenance_booking.scss",
            "fusion_repairs/static/src/interactions/maintenance_booking.js",
        ],
        "web.assets_tests": [
            "fusion_repairs/static/tests/tours/**/*",
        ],
    },
    "application": True,
}
