/** @odoo-module **/

import { registry } from "@web/core/registry";

// The buyer rates an order on the review page (data from test_review_tour.py): two stars and
// a comment, then the thank-you page.
registry.category("web_tour.tours").add("order_status_notify_review_tour", {
    steps: () => [
        {
            content: "The page asks for the order's rating, in Vietnamese",
            trigger: ".o_order_review_form button.o_order_review_submit:contains(Gửi đánh giá)",
        },
        {
            content: "Choose two stars",
            trigger: ".o_order_review_stars label[for='o_order_review_star_2']",
            run: "click",
        },
        {
            content: "The second star is chosen",
            trigger: ".o_order_review_stars input#o_order_review_star_2:checked:not(:visible)",
        },
        {
            content: "Write a comment",
            trigger: "textarea[name='feedback']",
            run: "edit Hàng giao chậm",
        },
        {
            content: "Send the rating",
            trigger: "button.o_order_review_submit",
            run: "click",
        },
        {
            content: "The shop thanks the buyer and will call back",
            trigger: ".o_order_review_done .o_order_review_given:contains(2/5)",
        },
    ],
});
