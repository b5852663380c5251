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

// The salesperson's view of an order (issue 15): the sent message with its cost, a skipped
// one with the number tried and what to do. Data from test_order_notify_tour.py.
registry.category("web_tour.tours").add("order_status_notify_sent_tour", {
    steps: () => [
        {
            content: "Open the Notifications tab of the order",
            trigger: ".o_form_view .o_notebook a.nav-link:contains(Notifications)",
            run: "click",
        },
        {
            content: "The 'order placed' message was delivered, with its cost in dong",
            trigger:
                ".o_field_widget[name='order_notify_message_ids'] .o_data_row:has(td[name='state']:contains(Delivered)):has(td[name='cost']:contains(850))",
        },
    ],
});

registry.category("web_tour.tours").add("order_status_notify_skipped_tour", {
    steps: () => [
        {
            content: "Open the Notifications tab of the order",
            trigger: ".o_form_view .o_notebook a.nav-link:contains(Notifications)",
            run: "click",
        },
        {
            content: "The message was skipped: the landline tried and what to do are shown",
            trigger:
                ".o_field_widget[name='order_notify_message_ids'] .o_data_row:has(td[name='state']:contains(Skipped)):has(td[name='reason']:contains(028 3822 1234)):has(td[name='reason_guidance']:contains(Add a mobile number))",
        },
    ],
});
