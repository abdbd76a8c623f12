"""Skills, service zones, technicians and settings."""

import ast

from psycopg2.errors import UniqueViolation

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FusionTasksCase


@tagged("post_install", "-at_install", "fusion_tasks")
class TestConfiguration(FusionTasksCase):
    def test_skill_code_is_unique(self):
        Skill = self.env["fusion.technician.skill"]
        count = Skill.search_count([("code", "=", "FT-STAIR")])
        with self.assertRaises(UniqueViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            Skill.create({"name": "FT Stair lifts again", "code": "FT-STAIR"})
            self.env.flush_all()
        self.assertEqual(Skill.search_count([("code", "=", "FT-STAIR")]), count)

    def test_zone_matches_normalised_postal_code_prefixes(self):
        Zone = self.env["fusion.service.zone"]
        self.assertIn(self.zone, Zone._match_postal_code("m4b 1b3"))
        self.assertIn(self.zone, Zone._match_postal_code("L6A2X1"))
        self.assertNotIn(self.zone, Zone._match_postal_code("L6B 1A1"))
        self.assertNotIn(self.zone, Zone._match_postal_code("K1A 0B1"))
        self.assertIn(self.other_zone, Zone._match_postal_code("K1A 0B1"))
        self.assertFalse(Zone._match_postal_code(""))
        self.assertFalse(Zone._match_postal_code(False))

    def test_zone_prefixes_are_validated(self):
        with self.assertRaisesText(ValidationError, "letters and digits"):
            self.env["fusion.service.zone"].create({"name": "FT Broken", "postal_prefixes": "M4; L6A"})
        with self.assertRaisesText(ValidationError, "letters and digits"):
            self.zone.postal_prefixes = " , "
        self.assertEqual(self.zone.postal_prefixes, "M4, L6A")

    def test_zone_and_skill_list_their_technicians(self):
        self.assertEqual(self.zone.technician_ids, self.tech_1 | self.tech_2)
        self.assertEqual(self.skill.technician_count, 2)
        self.assertEqual(self.tech_1.x_fc_service_zone_ids, self.zone)

    def test_new_technician_gets_a_resource_for_working_hours(self):
        user = self.env["res.users"].create({"name": "FT Eve", "login": "ft_eve@ft.example.com"})
        self.assertFalse(user.resource_ids)
        user.x_fc_is_technician = True
        self.assertEqual(len(user.resource_ids), 1)
        user.resource_calendar_id = self.calendar
        self.assertEqual(user.resource_ids.calendar_id, self.calendar)

    def test_travel_buffer_setting_is_stored(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.x_fc_travel_buffer_minutes, 30)
        settings.x_fc_travel_buffer_minutes = 45
        settings.execute()
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("fusion_tasks.travel_buffer_minutes"), "45")
        self.assertEqual(self.env["fusion.technician.task"]._get_travel_buffer().total_seconds(), 45 * 60)

    def test_technicians_menu_lists_technicians_only(self):
        office = self.env["res.users"].create({"name": "FT Office", "login": "ft_office@ft.example.com"})
        action = self.env.ref("fusion_tasks.res_users_action_technician")
        users = self.env["res.users"].search(ast.literal_eval(action.domain))
        self.assertIn(self.tech_1, users)
        self.assertNotIn(office, users)

    def test_backend_views_and_menus_load(self):
        views = self.env["fusion.technician.task"].get_views(
            [(False, "list"), (False, "kanban"), (False, "calendar"), (False, "form"), (False, "search")]
        )
        self.assertEqual(set(views["views"]), {"list", "kanban", "calendar", "form", "search"})
        self.assertIn('name="action_done"', views["views"]["form"]["arch"])
        my_tasks = self.env.ref("fusion_tasks.fusion_technician_task_action_my")
        self.assertIn("search_default_my_tasks", my_tasks.context)
        visible = self.env["ir.ui.menu"].with_user(self.tech_1)._visible_menu_ids()
        self.assertIn(self.env.ref("fusion_tasks.fusion_technician_task_menu_my").id, visible)
        self.assertNotIn(self.env.ref("fusion_tasks.fusion_technician_task_menu").id, visible, "dispatchers only")
        self.assertNotIn(self.env.ref("fusion_tasks.fusion_tasks_menu_configuration").id, visible, "managers only")
        user_form_view = self.env.ref("base.view_users_form")
        user_form = self.env["res.users"].get_views([(user_form_view.id, "form")])["views"]["form"]["arch"]
        self.assertIn("x_fc_service_zone_ids", user_form)
