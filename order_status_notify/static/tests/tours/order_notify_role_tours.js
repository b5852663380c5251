/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Issue 15, acceptance: one tour per role. Data from tests/test_order_notify_role_tours.py.

const placedRow = (channel) =>
    `.o_list_view .o_data_row:has(td[name='event']:contains(Order placed)):has(td[name='channel']:contains(${channel}))`;

// The notification administrator: edits a template with the value picker and sees the preview,
// puts SMS before Zalo for "Order placed" by dragging its line, then runs the preview (dry run).
registry.category("web_tour.tours").add("order_status_notify_admin_tour", {
    steps: () => [
        // Odoo's own step: the apps button once the web client enabled it (a click before that
        // is lost when the first action loads and redraws the navbar).
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Sales",
            trigger: ".o_app[data-menu-xmlid='sale.sale_menu_root']",
            run: "click",
        },
        {
            content: "Configuration",
            trigger: ".o_main_navbar button[data-menu-xmlid='sale.menu_sale_config']",
            run: "click",
        },
        {
            content: "Order Notifications › Templates",
            trigger: ".o-dropdown-item[data-menu-xmlid='order_status_notify.menu_order_notify_template']",
            run: "click",
        },
        {
            content: "Open the SMS template of 'Order placed'",
            trigger: ".o_list_view .o_data_row td[name='name']:contains(Tour: order placed)",
            run: "click",
        },
        {
            content: "The text, with its value picker above",
            trigger: ".o_field_widget[name='body'] textarea:value(đã được xác nhận)",
        },
        {
            content: "Insert the customer's name from the list (no code to type)",
            trigger: ".o_field_widget[name='body'] select.o_order_notify_insert_value",
            run: "select customer_name",
        },
        {
            content: "The value is in the text",
            trigger: ".o_field_widget[name='body'] textarea:value(customer_name)",
        },
        {
            content: "Save the template",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "Open the preview",
            trigger: ".o_form_view .o_notebook a.nav-link[name='preview']",
            run: "click",
        },
        {
            content: "The message as the buyer's phone shows it, with the customer's name",
            trigger: ".o_order_notify_phone:contains(Nguyễn Văn An):contains(DH-TOUR-1)",
        },
        {
            content: "... its length and its cost",
            trigger: ".o_field_widget[name='preview_cost']:contains(850)",
        },
        {
            content: "Configuration",
            trigger: ".o_main_navbar button[data-menu-xmlid='sale.menu_sale_config']",
            run: "click",
        },
        {
            content: "Order Notifications › Events and Channels",
            trigger: ".o-dropdown-item[data-menu-xmlid='order_status_notify.menu_order_notify_route']",
            run: "click",
        },
        {
            content: "Zalo is the 1st channel of 'Order placed'",
            trigger: `${placedRow("Zalo ZNS")} td[name='fallback_rank']:contains(1st channel)`,
        },
        {
            content: "Drag the SMS line of 'Order placed' above the Zalo line",
            trigger: `${placedRow("SMS")} .o_row_handle`,
            run: `drag_and_drop ${placedRow("Zalo ZNS")}`,
        },
        {
            content: "SMS is now the 1st channel of 'Order placed'",
            trigger: `${placedRow("SMS")} td[name='fallback_rank']:contains(1st channel)`,
        },
        {
            content: "... and Zalo the 2nd",
            trigger: `${placedRow("Zalo ZNS")} td[name='fallback_rank']:contains(2nd channel)`,
        },
        {
            content: "Configuration",
            trigger: ".o_main_navbar button[data-menu-xmlid='sale.menu_sale_config']",
            run: "click",
        },
        {
            content: "Order Notifications › Preview",
            trigger: ".o-dropdown-item[data-menu-xmlid='order_status_notify.menu_order_notify_dry_run']",
            run: "click",
        },
        {
            content: "Replay the orders of the last 30 days",
            trigger: ".modal .o_field_widget[name='days'] input:value(30)",
        },
        {
            content: "Run the preview",
            trigger: ".modal button[name='action_run']",
            run: "click",
        },
        {
            content: "Two orders replayed",
            trigger: ".modal .o_field_widget[name='order_count']:contains(2)",
        },
        {
            content: "One message, one buyer skipped",
            trigger: ".modal .o_field_widget[name='message_count']:contains(1)",
        },
        {
            content: "... the skipped one",
            trigger: ".modal .o_field_widget[name='skipped_count']:contains(1)",
        },
        {
            content: "'Order placed' goes by SMS now, one segment of 850 ₫",
            trigger:
                ".modal .o_field_widget[name='line_ids'] .o_data_row:has(td[name='event']:contains(Order placed)):has(td[name='channel']:contains(SMS)):has(td[name='count']:contains(1)):has(td[name='cost']:contains(850))",
        },
        {
            content: "The landline buyer is skipped, with the number tried",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row td[name='reason']:contains(028 3822 1234)",
        },
        {
            content: "A sample of the text the buyer would read",
            trigger: ".modal .o_field_widget[name='sample_html']:contains(Nguyễn Văn An)",
        },
        {
            content: "Close the preview",
            trigger: ".modal .modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "Closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

// The accountant: the dashboard's figures, the cost pivot, the printable cost summary.
registry.category("web_tour.tours").add("order_status_notify_accountant_tour", {
    steps: () => [
        {
            content: "Today: two messages sent",
            trigger: ".o_order_notify_tile_today .o_order_notify_value_sent:contains(2)",
        },
        {
            content: "Today's cost in dong",
            trigger: ".o_order_notify_tile_today .o_order_notify_value_cost:contains(1,150)",
        },
        {
            content: "The cost per channel of the period",
            trigger: ".o_order_notify_cost_per_channel tr:contains(Zalo ZNS):contains(300)",
        },
        {
            content: "... SMS too",
            trigger: ".o_order_notify_cost_per_channel tr:contains(SMS):contains(850)",
        },
        {
            content: "The chart of messages per day is drawn",
            trigger: "canvas.o_order_notify_chart",
        },
        // Odoo's own step: the apps button once the web client enabled it (a click before that
        // is lost when the first action loads and redraws the navbar).
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Invoicing",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            content: "Reporting",
            trigger: ".o_main_navbar button[data-menu-xmlid='account.menu_finance_reports']",
            run: "click",
        },
        {
            content: "Notification Costs",
            trigger: ".o-dropdown-item[data-menu-xmlid='order_status_notify.menu_order_notify_report_cost_account']",
            run: "click",
        },
        {
            content: "The cost pivot: a column per channel",
            trigger: ".o_pivot thead th:contains(Zalo ZNS)",
        },
        {
            content: "... and the SMS column",
            trigger: ".o_pivot thead th:contains(SMS)",
        },
        {
            content: "... the providers of the month as rows",
            trigger: ".o_pivot tbody th:contains(Tour SMS)",
        },
        {
            content: "... the costs",
            trigger: ".o_pivot tbody tr:has(th:contains(Tour SMS)) td:contains(850)",
        },
        {
            content: "Reporting",
            trigger: ".o_main_navbar button[data-menu-xmlid='account.menu_finance_reports']",
            run: "click",
        },
        {
            content: "Notification Cost Summary",
            trigger: ".o-dropdown-item[data-menu-xmlid='order_status_notify.menu_order_notify_cost_summary']",
            run: "click",
        },
        {
            content: "The current month by default",
            trigger: ".modal .o_field_widget[name='date_from'] input",
        },
        {
            content: "Print",
            trigger: ".modal button[name='action_print']",
            run: "click",
        },
        {
            content: "The PDF was downloaded: the dialog closes",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "... back on the cost pivot (not on the HTML fallback of a failed download)",
            trigger: ".o_action_manager .o_pivot thead th:contains(Zalo ZNS)",
        },
    ],
});
