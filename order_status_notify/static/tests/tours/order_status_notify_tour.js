/** @odoo-module **/

import { registry } from "@web/core/registry";

// This tour relies on data created on the Python test: a confirmed order whose "placed"
// message was delivered by the sandbox provider.
registry.category("web_tour.tours").add("order_status_notify_tour", {
    steps: () => [
        {
            content: "Open the notifications of the order",
            trigger: ".o_form_view button[name='action_view_order_notify_messages']:contains(Notifications)",
            run: "click",
        },
        {
            content: "The list shows the notifications of this order only",
            trigger: ".o_list_view .o_data_row:only",
        },
        {
            content: "The buyer got the 'order placed' message",
            trigger:
                ".o_list_view .o_data_row:has(td[name='event']:contains(Order placed)):has(td[name='state']:contains(Delivered))",
        },
    ],
});
