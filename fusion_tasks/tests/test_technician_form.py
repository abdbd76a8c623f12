"""The technician's side: a task form where only notes and the buttons are theirs, a
confirmation before Done, and My Tasks as the page they land on."""

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import FusionTasksCase, toronto


@tagged("post_install", "-at_install", "fusion_tasks")
class TestTechnicianForm(FusionTasksCase):
    def setUp(self):
        super().setUp()
        self.task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))

    def test_technician_cannot_replan_but_writes_notes(self):
        with Form(self.task.with_user(self.tech_1)) as form:
            for name in ("partner_id", "scheduled_start", "scheduled_end", "technician_id", "task_type"):
                with self.assertRaises(AssertionError, msg=f"{name} is read-only for a technician"):
                    setattr(form, name, False)
            form.notes = "<p>Code 1234 at the gate</p>"
        self.assertIn("Code 1234", str(self.task.notes))
        with self.assertRaisesText(AccessError, "Only dispatchers can change"):
            self.task.with_user(self.tech_1).scheduled_start = toronto(2026, 5, 4, 11)
        with self.assertRaisesText(AccessError, "Only dispatchers can change"):
            self.task.with_user(self.tech_1).partner_id = False
        self.assertEqual(self.task.scheduled_start, toronto(2026, 5, 4, 9), "nothing moved")
        self.assertEqual(self.task.partner_id, self.client)
        self.task.with_user(self.tech_1).action_start()
        self.task.with_user(self.tech_1).action_done()
        self.assertEqual(self.task.state, "done", "Start and Done still work")

    def test_dispatcher_can_replan(self):
        dispatcher = self._create_technician("FT Planner", groups=("fusion_tasks.group_fusion_dispatcher",))
        with Form(self.task.with_user(dispatcher)) as form:
            form.scheduled_start = toronto(2026, 5, 4, 13)
            form.scheduled_end = toronto(2026, 5, 4, 14)
            form.task_type = "repair"
        self.assertEqual(self.task.scheduled_start, toronto(2026, 5, 4, 13))
        self.assertEqual(self.task.task_type, "repair")

    def test_done_asks_for_confirmation(self):
        arch = self.env["fusion.technician.task"].get_views([(False, "form")])["views"]["form"]["arch"]
        buttons = etree.fromstring(arch).xpath("//header/button[@name='action_done']")
        self.assertTrue(buttons)
        self.assertTrue(all(button.get("confirm") for button in buttons))

    def test_technicians_land_on_my_tasks(self):
        my_tasks = self.env.ref("fusion_tasks.fusion_technician_task_action_my")
        self.assertEqual(self.tech_1.action_id.id, my_tasks.id)
        office = self.env["res.users"].create({"name": "FT Office", "login": "ft_office@ft.example.com"})
        self.assertFalse(office.action_id, "other users keep their home")
        office.x_fc_is_technician = True
        self.assertEqual(office.action_id.id, my_tasks.id)

    def test_my_tasks_is_a_phone_list_soonest_first(self):
        later = self._create_task(self.tech_1, toronto(2026, 5, 6, 9), toronto(2026, 5, 6, 10))
        done = self._create_task(self.tech_1, toronto(2026, 5, 5, 9), toronto(2026, 5, 5, 10))
        done.action_done()
        action = self.env.ref("fusion_tasks.fusion_technician_task_action_my")
        self.assertTrue(action.view_mode.startswith("kanban"), "cards first on a phone")
        Task = self.env["fusion.technician.task"].with_user(self.tech_1)
        views = Task.get_views([(action.view_ids[0].view_id.id, "kanban"), (action.view_ids[1].view_id.id, "list")])
        listing = etree.fromstring(views["views"]["list"]["arch"])
        columns = [node.get("name") for node in listing.xpath("/list/field")]
        self.assertEqual(columns[:2], ["partner_id", "partner_city"], "client and town first")
        card = views["views"]["kanban"]["arch"]
        for name in ("partner_id", "partner_city", "scheduled_start", "state"):
            self.assertIn(f'name="{name}"', card)
        search = etree.fromstring(Task.get_views([(False, "search")])["views"]["search"]["arch"])
        upcoming = search.xpath("//filter[@name='upcoming']")[0].get("domain")
        self.assertIn("search_default_upcoming", action.context)
        domain = [*safe_eval(upcoming.replace("'today'", "'2026-05-04'")), ("technician_id", "=", self.tech_1.id)]
        found = Task.search(domain, order=listing.get("default_order"))
        self.assertEqual(found.ids, [self.task.id, later.id], "open tasks, soonest first, done ones left out")
