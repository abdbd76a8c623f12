import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

/**
 * Maintenance Overview: the office's headline figures as cards. Every number opens the
 * records behind it (the server sends each figure's action with its domain).
 */
export class MaintenanceOverview extends Component {
    static template = "fusion_repairs.MaintenanceOverview";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call(
            "fusion.repair.maintenance.overview",
            "get_overview_figures",
            []
        );
    }

    figure(key) {
        return this.state.data.figures[key] || {};
    }

    get maxMonth() {
        return Math.max(1, ...this.state.data.months.map((m) => Math.max(m.visit, m.plan)));
    }

    open(key) {
        const figure = this.figure(key);
        if (figure.action) {
            this.action.doAction(figure.action);
        }
    }

    openAnalysis() {
        this.action.doAction("fusion_repairs.fusion_repair_maintenance_report_action");
    }
}

registry.category("actions").add("fusion_repairs.maintenance_overview", MaintenanceOverview);
