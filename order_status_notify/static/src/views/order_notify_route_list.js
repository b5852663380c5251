/** @odoo-module **/
// Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import { registry } from "@web/core/registry";
import { listView } from "@web/views/list/list_view";
import { ListRenderer } from "@web/views/list/list_renderer";

/**
 * Events and Channels: dragging a channel above another changes the fallback order of the
 * whole event, so the "1st / 2nd channel" of its other lines changes too. The list only reads
 * back the sequences of the lines it moved: read the lines again after a drop.
 */
export class OrderNotifyRouteListRenderer extends ListRenderer {
    async sortDrop(dataRowId, params) {
        await super.sortDrop(dataRowId, params);
        await this.props.list.model.load();
    }
}

registry.category("views").add("order_notify_route_list", {
    ...listView,
    Renderer: OrderNotifyRouteListRenderer,
});
