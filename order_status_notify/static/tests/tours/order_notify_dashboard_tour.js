/** @odoo-module **/

import { registry } from "@web/core/registry";

// Data from the Python test: today, one delivered Zalo message (300 ₫) and one skipped SMS.
registry.category("web_tour.tours").add("order_status_notify_dashboard_tour", {
    steps: () => [
        {
            content: "Today's tile: one sent, one skipped",
            trigger: ".o_order_notify_tile_today .o_order_notify_value_sent:contains(1)",
        },
        {
            content: "Labels apart from their numbers",
            trigger: ".o_order_notify_tile_today .o_order_notify_label_skipped:contains(Skipped)",
        },
        {
            content: "Delivery rate of a provider that reports delivery",
            trigger: ".o_order_notify_tile_today .o_order_notify_value_delivery_rate:contains(100)",
        },
        {
            content: "The cost per channel of the period",
            trigger: ".o_order_notify_cost_per_channel tr:contains(Zalo ZNS):contains(300)",
        },
        {
            content: "The chart of messages per day is drawn on the page",
            trigger: "canvas.o_order_notify_chart",
        },
        {
            content: "Only SMS: nothing sent today",
            trigger: "select[name='channel']",
            run: "select sms",
        },
        {
            content: "The figures follow the channel",
            trigger: ".o_order_notify_tile_today .o_order_notify_value_sent:contains(0)",
        },
    ],
});
