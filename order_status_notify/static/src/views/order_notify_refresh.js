/** @odoo-module **/
// Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import { Component, onWillDestroy, xml } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

/**
 * Reloads the sale order form when the dispatcher changed one of its messages (sent, skipped,
 * failed, delivered): the server sends ``order_status_notify/updated`` on the bus to the
 * notification users. The form is left alone while the user has unsaved changes.
 */
export class OrderNotifyRefresh extends Component {
    static template = xml`<span class="d-none o_order_notify_refresh"/>`;
    static props = { ...standardWidgetProps };

    setup() {
        this.busService = useService("bus_service");
        this.onUpdate = (payload) => this.refresh(payload);
        this.busService.subscribe("order_status_notify/updated", this.onUpdate);
        onWillDestroy(() => this.busService.unsubscribe("order_status_notify/updated", this.onUpdate));
    }

    async refresh({ order_ids }) {
        const record = this.props.record;
        if (!record.resId || !(order_ids || []).includes(record.resId)) {
            return;
        }
        if (await record.isDirty()) {
            return;
        }
        await record.load();
    }
}

registry.category("view_widgets").add("order_notify_refresh", { component: OrderNotifyRefresh });
