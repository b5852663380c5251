/** @odoo-module **/

import { Component, onWillStart, onWillUnmount, useRef, useState, useEffect } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatMonetary, formatFloat } from "@web/views/fields/formatters";

/**
 * The notifications dashboard: today / this week / this month, then a chosen period with its
 * figures, its cost per channel and a chart of the messages sent per day. Every figure comes
 * from ``order.notify.report.order_notify_get_dashboard``: the page only lays them out.
 */
export class OrderNotifyDashboard extends Component {
    static template = "order_status_notify.OrderNotifyDashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.canvasRef = useRef("chart");
        this.state = useState({ data: null, dateFrom: "", dateTo: "", channel: "" });
        this.chart = null;
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            await this.load();
        });
        useEffect(
            () => this.renderChart(),
            () => [this.state.data]
        );
        onWillUnmount(() => this.chart && this.chart.destroy());
    }

    get figureLabels() {
        return [
            ["sent", _t("Sent")],
            ["delivered", _t("Delivered")],
            ["failed", _t("Failed")],
            ["skipped", _t("Skipped")],
            ["deferred", _t("Deferred")],
        ];
    }

    async load() {
        const data = await this.orm.call("order.notify.report", "order_notify_get_dashboard", [], {
            date_from: this.state.dateFrom || false,
            date_to: this.state.dateTo || false,
            channel: this.state.channel || false,
        });
        this.state.dateFrom = data.period.date_from;
        this.state.dateTo = data.period.date_to;
        this.state.data = data;
    }

    async onChangeFilter(ev) {
        this.state[ev.target.name] = ev.target.value;
        await this.load();
    }

    formatCost(value) {
        return formatMonetary(value || 0, { currencyId: this.state.data.currency.id });
    }

    formatRate(rate) {
        return rate === null || rate === undefined ? _t("no report yet") : `${formatFloat(rate, { digits: [16, 1] })} %`;
    }

    async openMessages() {
        const action = await this.orm.call("order.notify.report", "order_notify_action_open_period", [], {
            date_from: this.state.dateFrom || false,
            date_to: this.state.dateTo || false,
            channel: this.state.channel || false,
        });
        await this.action.doAction(action);
    }

    renderChart() {
        const data = this.state.data;
        if (!data || !this.canvasRef.el) {
            return;
        }
        if (this.chart) {
            this.chart.destroy();
        }
        const colors = ["#017e84", "#e99d00", "#714b67", "#2a9d8f"];
        const perDay = data.period.per_day;
        this.chart = new window.Chart(this.canvasRef.el, {
            type: "bar",
            data: {
                labels: perDay.days,
                datasets: perDay.series.map((serie, index) => ({
                    label: serie.label,
                    data: serie.counts,
                    backgroundColor: colors[index % colors.length],
                })),
            },
            options: {
                maintainAspectRatio: false,
                animation: false,
                scales: {
                    x: { stacked: true },
                    y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
                },
            },
        });
    }
}

registry.category("actions").add("order_status_notify.dashboard", OrderNotifyDashboard);
