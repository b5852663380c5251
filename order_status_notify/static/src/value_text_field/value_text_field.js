/** @odoo-module **/

import { registry } from "@web/core/registry";
import { TextField, textField } from "@web/views/fields/text/text_field";

/**
 * The text of a notification template with an "Insert value" list above it: picking an order
 * value (customer name, amount to collect…) inserts ``{{ key }}`` where the cursor was. Only
 * plain order values are offered (the list is the selection of ``insert_value_key``), so what
 * is inserted is always allowed in a template.
 */
export class OrderNotifyValueTextField extends TextField {
    static template = "order_status_notify.ValueTextField";

    get valueKeys() {
        return this.props.record.fields.insert_value_key?.selection || [];
    }

    onInsertValue(ev) {
        const key = ev.target.value;
        ev.target.value = "";
        if (!key || !/^[a-z_]+$/.test(key)) {
            return;
        }
        const textarea = this.textareaRef.el;
        const start = Math.min(this.selectionStart ?? textarea.value.length, textarea.value.length);
        textarea.focus();
        textarea.setRangeText(`{{ ${key} }}`, start, start, "end");
        this.selectionStart = textarea.selectionStart;
        // make the field dirty, as Odoo's own "Insert field" does
        textarea.dispatchEvent(new InputEvent("input"));
        textarea.dispatchEvent(new KeyboardEvent("keydown"));
    }
}

registry.category("fields").add("order_notify_value_text", {
    ...textField,
    component: OrderNotifyValueTextField,
});
