"""Realistic demo data for the CRM: a meat processor's customers and three years of sales.

A development add-on: it lives outside ``addons/``, is never shipped, and only
``tools/dev.py run``, ``tools/dev.py test`` and the benchmarks put it on the
add-ons path and install it. Entry points:

* ``generate()`` builds a small, fully consistent data set through the ORM (customers
  with contacts, sales users and teams, a product catalogue, quotations, confirmed
  orders, deliveries, invoices, payments, refunds, opportunities, blacklist, credit
  limits, then service contracts, complaints, birthdays, saved segments and customer
  events). ``tools/dev.py run`` calls it, then the full classification recompute.
  When Simplified Chinese is active, the catalogue, tags and teams carry their
  Chinese names, and the Chinese salespeople and customers use Chinese.
* ``generate_bulk()`` writes large volumes (100,000 customers, 1,000,000 order lines)
  with set-based SQL for the benchmarks: rows carry every column the ORM would write.
  The other ``generate_bulk_*()`` methods (crm_demo_generator_bench.py) write the
  benchmarks' purchase histories, complaints and contracts.
"""

import json
import logging
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from datetime import time as dt_time

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Context for bulk demo writes: no chatter messages, followers or tracking values.
QUIET_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
    "no_reset_password": True,
    "skip_sms": True,
}

MAX_ORM_CUSTOMERS = 2000
ORM_BATCH = 400
# Orders younger than this go through procurement and get a delivery order.
DELIVERY_WINDOW_DAYS = 45
# Orders younger than this are invoiced for real (invoices, payments, refunds).
# It covers the credit-rating window (365 days of due dates) plus payment terms.
INVOICE_WINDOW_DAYS = 210
# Orders and deliveries that are this recent are still open.
OPEN_DAYS = 4

# ----------------------------------------------------------------------------
# Catalogue: the meat processor of DOMAIN.md.
# (default code, name, category, kind, uom xmlid, sale price, cost)
# kind: storable goods, consumable supplies or services.
# ----------------------------------------------------------------------------
PRODUCTS = [
    ("MP-PL01", "Chilled Pork Loin", "Fresh Meat", "storable", "uom.product_uom_kgm", 6.80, 4.90),
    ("MP-PB02", "Chilled Pork Belly", "Fresh Meat", "storable", "uom.product_uom_kgm", 5.90, 4.10),
    ("MP-PS03", "Pork Shoulder, boneless", "Fresh Meat", "storable", "uom.product_uom_kgm", 4.70, 3.30),
    ("MP-PR04", "Pork Spare Ribs", "Fresh Meat", "storable", "uom.product_uom_kgm", 7.20, 5.00),
    ("MP-BB05", "Beef Brisket", "Fresh Meat", "storable", "uom.product_uom_kgm", 11.50, 8.20),
    ("MP-BT06", "Beef Tenderloin", "Fresh Meat", "storable", "uom.product_uom_kgm", 32.00, 23.50),
    ("MP-BS07", "Beef Shank", "Fresh Meat", "storable", "uom.product_uom_kgm", 9.80, 7.00),
    ("MP-LL08", "Lamb Leg, bone-in", "Fresh Meat", "storable", "uom.product_uom_kgm", 14.50, 10.60),
    ("MP-CB09", "Chicken Breast Fillet", "Fresh Meat", "storable", "uom.product_uom_kgm", 4.20, 2.90),
    ("MP-CW10", "Chicken Wings", "Fresh Meat", "storable", "uom.product_uom_kgm", 3.60, 2.40),
    ("PP-HM11", "Smoked Ham", "Processed Meat", "storable", "uom.product_uom_kgm", 12.00, 7.80),
    ("PP-SS12", "Pork Sausages", "Processed Meat", "storable", "uom.product_uom_kgm", 8.50, 5.20),
    ("PP-CS13", "Cantonese Style Sausage", "Processed Meat", "storable", "uom.product_uom_kgm", 10.80, 6.90),
    ("PP-BC14", "Streaky Bacon, sliced", "Processed Meat", "storable", "uom.product_uom_kgm", 9.90, 6.10),
    ("PP-LM15", "Luncheon Meat, 340 g can", "Processed Meat", "storable", "uom.product_uom_unit", 2.10, 1.25),
    ("PP-BJ16", "Beef Jerky, 100 g", "Processed Meat", "storable", "uom.product_uom_unit", 3.80, 2.10),
    ("PP-MB17", "Frozen Pork Meatballs, 1 kg", "Processed Meat", "storable", "uom.product_uom_unit", 6.40, 3.90),
    ("PP-DF18", "Dumpling Filling, pork and cabbage", "Processed Meat", "storable", "uom.product_uom_kgm", 5.20, 3.10),
    ("PP-MC19", "Marinated Pork Chops", "Processed Meat", "storable", "uom.product_uom_kgm", 7.90, 5.10),
    ("PP-BP20", "Braised Pork Belly Ready Meal", "Processed Meat", "storable", "uom.product_uom_unit", 4.60, 2.70),
    ("FI-PT21", "Frozen Pork Trimmings 80/20", "Frozen Industrial", "storable", "uom.product_uom_kgm", 3.10, 2.30),
    ("FI-BT22", "Frozen Beef Trimmings 90VL", "Frozen Industrial", "storable", "uom.product_uom_kgm", 6.20, 4.70),
    ("FI-CM23", "Frozen Mechanically Separated Chicken", "Frozen Industrial", "storable", "uom.product_uom_kgm", 1.60, 1.10),
    ("FI-PF24", "Frozen Pork Back Fat", "Frozen Industrial", "storable", "uom.product_uom_kgm", 1.90, 1.30),
    ("PS-VB25", "Vacuum Bags 25x35 cm, box of 500", "Packaging and Supplies", "consumable", "uom.product_uom_unit", 38.00, 22.00),
    ("PS-IB26", "Insulated Shipping Box, 40 L", "Packaging and Supplies", "consumable", "uom.product_uom_unit", 6.50, 3.80),
    ("PS-GP27", "Gel Ice Packs, case of 50", "Packaging and Supplies", "consumable", "uom.product_uom_unit", 24.00, 13.50),
    ("SV-CC28", "Cold-Chain Delivery (per trip)", "Services", "service", "uom.product_uom_unit", 45.00, 28.00),
    ("SV-CP29", "Custom Cutting and Portioning (per batch)", "Services", "service", "uom.product_uom_unit", 60.00, 35.00),
    ("SV-PL30", "Private Label Packaging (per run)", "Services", "service", "uom.product_uom_unit", 180.00, 110.00),
    ("SV-FS31", "Food Safety Audit Support", "Services", "service", "uom.product_uom_hour", 85.00, 50.00),
]

# The catalogue's names in Simplified Chinese, by default code.
PRODUCT_NAMES_ZH = {
    "MP-PL01": "冷鲜猪里脊", "MP-PB02": "冷鲜五花肉", "MP-PS03": "去骨猪前腿肉",
    "MP-PR04": "猪肋排", "MP-BB05": "牛腩", "MP-BT06": "牛里脊", "MP-BS07": "牛腱子",
    "MP-LL08": "带骨羊腿", "MP-CB09": "鸡胸肉", "MP-CW10": "鸡翅", "PP-HM11": "烟熏火腿",
    "PP-SS12": "猪肉香肠", "PP-CS13": "广式腊肠", "PP-BC14": "培根切片",
    "PP-LM15": "午餐肉罐头 340 克", "PP-BJ16": "牛肉干 100 克", "PP-MB17": "速冻猪肉丸 1 公斤",
    "PP-DF18": "猪肉白菜饺子馅", "PP-MC19": "腌制猪排", "PP-BP20": "红烧肉即食餐",
    "FI-PT21": "冻猪碎肉 80/20", "FI-BT22": "冻牛碎肉 90VL", "FI-CM23": "冻机械分离鸡肉",
    "FI-PF24": "冻猪背膘", "PS-VB25": "真空袋 25x35 厘米（500 只/箱）",
    "PS-IB26": "保温运输箱 40 升", "PS-GP27": "冰袋（50 只/箱）", "SV-CC28": "冷链配送（每趟）",
    "SV-CP29": "定制分割分装（每批）", "SV-PL30": "贴牌包装（每批次）",
    "SV-FS31": "食品安全审核支持",
}

# Customer groups after the meat-processor example (canning factory, restaurants,
# retail, occasional buyers), with a typical order value and the products they buy.
SEGMENTS = {
    "manufacturer": {
        "tag": "Food Manufacturer",
        "tag_zh": "食品加工企业",
        "order_value": 16000.0,
        "lines": (2, 4),
        "basket": ["FI-PT21", "FI-BT22", "FI-CM23", "FI-PF24", "MP-PS03", "SV-CP29", "SV-PL30",
                   "SV-FS31"],
        "payment_term": "account.account_payment_term_45days",
    },
    "wholesale": {
        "tag": "Wholesale Distributor",
        "tag_zh": "批发经销商",
        "order_value": 5200.0,
        "lines": (2, 5),
        "basket": ["MP-PL01", "MP-PB02", "MP-PS03", "MP-PR04", "MP-BB05", "MP-CB09", "MP-CW10",
                   "PP-SS12", "PP-LM15", "PP-MB17", "PP-DF18", "SV-CC28"],
        "payment_term": "account.account_payment_term_30days",
    },
    "retail": {
        "tag": "Retail and Supermarket",
        "tag_zh": "零售与超市",
        "order_value": 1900.0,
        "lines": (2, 4),
        "basket": ["PP-HM11", "PP-SS12", "PP-CS13", "PP-BC14", "PP-LM15", "PP-BJ16", "PP-MB17",
                   "PP-BP20", "MP-CB09", "MP-PB02", "PS-IB26", "PS-GP27"],
        "payment_term": "account.account_payment_term_30days",
    },
    "restaurant": {
        "tag": "Restaurant and Hotel",
        "tag_zh": "餐饮与酒店",
        "order_value": 750.0,
        "lines": (1, 4),
        "basket": ["MP-PL01", "MP-PB02", "MP-PR04", "MP-BB05", "MP-BT06", "MP-BS07", "MP-LL08",
                   "MP-CB09", "MP-CW10", "PP-MC19", "SV-CC28", "PS-VB25"],
        "payment_term": "account.account_payment_term_15days",
    },
    "individual": {
        "tag": "Walk-in and Online Buyer",
        "tag_zh": "门店及网购客户",
        "order_value": 55.0,
        "lines": (1, 2),
        "basket": ["PP-HM11", "PP-SS12", "PP-CS13", "PP-BJ16", "PP-MB17", "PP-BP20", "MP-PL01",
                   "MP-CB09", "MP-LL08"],
        "payment_term": "account.account_payment_term_immediate",
    },
}
COMPANY_SEGMENTS = [("manufacturer", 6), ("wholesale", 12), ("retail", 30), ("restaurant", 52)]
INDIVIDUAL_SHARE = 0.3
CHINESE_SHARE = 0.55

# Purchase patterns, chosen so that every lifecycle stage appears:
# (profile, share of customers). "occasional" buyers fall between the rules.
PROFILES = [
    ("potential", 0.08),
    ("new", 0.10),
    ("regular", 0.22),
    ("old", 0.14),
    ("loyal", 0.08),
    ("at_risk", 0.12),
    ("lost", 0.16),
    ("occasional", 0.10),
]
# Mean number of orders per customer that the patterns give at interval scale 1.
NATURAL_ORDERS_PER_CUSTOMER = 10.8

# Payment behaviour: (name, share, days paid after the due date (min, max)).
PAYERS = [
    ("punctual", 0.55, (-6, 2)),
    ("late", 0.25, (8, 40)),
    ("very_late", 0.12, (30, 110)),
    ("defaulting", 0.08, (90, 400)),
]

SALES_USERS = [
    # login, name, team key, manager
    ("li.na", "李娜", "east", False),
    ("wang.lei", "王磊", "east", True),
    ("john.smith", "John Smith", "intl", False),
    ("emma.wilson", "Emma Wilson", "intl", True),
]
TEAMS = {"east": "East China Sales", "intl": "International Sales"}
TEAMS_ZH = {"east": "华东销售部", "intl": "国际销售部"}

CN_CITIES = [
    ("上海", "shanghai", "21", "200000"), ("北京", "beijing", "10", "100000"),
    ("杭州", "hangzhou", "571", "310000"), ("苏州", "suzhou", "512", "215000"),
    ("南京", "nanjing", "25", "210000"), ("广州", "guangzhou", "20", "510000"),
    ("深圳", "shenzhen", "755", "518000"), ("成都", "chengdu", "28", "610000"),
    ("武汉", "wuhan", "27", "430000"), ("宁波", "ningbo", "574", "315000"),
    ("青岛", "qingdao", "532", "266000"), ("天津", "tianjin", "22", "300000"),
]
CN_CORES = [
    ("华东", "huadong"), ("鑫源", "xinyuan"), ("金陵", "jinling"), ("美味", "meiwei"),
    ("鸿福", "hongfu"), ("永盛", "yongsheng"), ("海天", "haitian"), ("天福", "tianfu"),
    ("恒丰", "hengfeng"), ("瑞祥", "ruixiang"), ("嘉禾", "jiahe"), ("新世纪", "xinshiji"),
    ("百味", "baiwei"), ("盛达", "shengda"), ("鼎盛", "dingsheng"), ("福满楼", "fumanlou"),
    ("聚丰", "jufeng"), ("润发", "runfa"),
]
CN_KINDS = {
    "manufacturer": ["罐头食品厂", "食品有限公司", "肉制品加工厂"],
    "wholesale": ["食品贸易有限公司", "肉类批发有限公司"],
    "retail": ["超市有限公司", "生鲜连锁有限公司", "便利店"],
    "restaurant": ["餐饮管理有限公司", "大酒店", "火锅店", "酒家"],
}
CN_STREETS = ["南京西路", "人民路", "中山路", "解放路", "建设路", "长江路", "和平路", "黄河路"]
CN_SURNAMES = "张王李刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
CN_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
            "涛", "明", "超", "秀英", "建华", "晓东", "志强", "婷婷", "俊杰", "海燕"]
CN_FUNCTIONS = ["采购经理", "财务主管", "总经理", "行政主厨", "仓库主管"]

EN_CITIES = [
    ("Seattle", "base.us", "+1 206 555", "98101"), ("Chicago", "base.us", "+1 312 555", "60601"),
    ("Boston", "base.us", "+1 617 555", "02108"), ("San Francisco", "base.us", "+1 415 555", "94103"),
    ("London", "base.uk", "+44 20 7946", "EC1A 1BB"), ("Manchester", "base.uk", "+44 161 496", "M1 1AE"),
    ("Sydney", "base.au", "+61 2 9876", "2000"), ("Melbourne", "base.au", "+61 3 9123", "3000"),
    ("Toronto", "base.ca", "+1 416 555", "M5H 2N2"), ("Singapore", "base.sg", "+65 6123", "049315"),
]
EN_PREFIXES = [
    "Northwind", "Blue Ridge", "Harbor", "Golden Gate", "Evergreen", "Summit", "Riverside",
    "Oakwood", "Pinecrest", "Silver Lake", "Maple Leaf", "Redwood", "Lakeside", "Highland",
    "Coastal", "Prairie", "Bayview", "Cedar Hill",
]
EN_KINDS = {
    "manufacturer": ["Canning Co.", "Foods Ltd", "Meat Processing Inc."],
    "wholesale": ["Traders Ltd", "Meat Wholesale Inc.", "Food Distribution LLC"],
    "retail": ["Supermarkets Inc.", "Fresh Market", "Family Grocers"],
    "restaurant": ["Bistro", "Grill House", "Hotel & Resort", "Catering Services", "Steakhouse"],
}
EN_STREETS = ["Market St", "Main St", "Oak Ave", "Pine St", "High St", "Church Rd", "King St",
              "Harbour Rd"]
EN_FIRST = ["Emily", "James", "Olivia", "William", "Sophia", "Benjamin", "Charlotte", "Daniel",
            "Grace", "Henry", "Lucy", "Michael", "Chloe", "Thomas", "Hannah", "Oliver"]
EN_LAST = ["Carter", "Miller", "Thompson", "Walker", "Harris", "Clarke", "Lewis", "Robinson",
           "Wright", "Hall", "Young", "King", "Baker", "Turner", "Evans", "Collins"]
EN_FUNCTIONS = ["Purchasing Manager", "Accounts Payable", "General Manager", "Executive Chef",
                "Warehouse Supervisor"]

# (English, Chinese): the Chinese text for a Chinese customer.
BLACKLIST_REASONS = [
    ("Invoices unpaid for more than a year; debt collection agency engaged.",
     "发票逾期一年以上未付，已委托催收机构。"),
    ("Resold expired products under our brand; food-safety complaint filed with the authority.",
     "以我方品牌转售过期产品，已向监管部门提交食品安全投诉。"),
]
LEAD_TITLES = [
    ("Annual supply contract", "年度供货合同"),
    ("Frozen trimmings tender", "冻肉原料招标"),
    ("New restaurant opening", "新店开业采购"),
    ("Private label sausages", "自有品牌香肠"),
    ("Holiday gift boxes", "节日礼盒"),
]


class CrmDemoGenerator(models.AbstractModel):
    _name = "crm.demo.generator"
    _description = "Realistic CRM Demo Data Generator"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def generate(self, customers=300, orders_per_customer=8, seed=7, now=None):
        """Create ``customers`` demo customers of the current company with about
        ``orders_per_customer`` orders each on average over the last three years
        before ``now`` (a datetime or "YYYY-MM-DD HH:MM:SS" in UTC; default: the
        real clock). The same ``seed`` and ``now`` give the same data, whatever
        the hour or weekday the generator runs at.

        The orders of the last INVOICE_WINDOW_DAYS go through the ORM: created and
        confirmed in batches, delivered (pickings validated for the orders of the
        last DELIVERY_WINDOW_DAYS but the most recent), invoiced and paid on time,
        late or not at all after each customer's habit. Older orders are closed
        history, written with set-based SQL as ``generate_bulk`` does (confirmed,
        delivered, invoiced elsewhere, locked: no pickings or invoice documents),
        which keeps 300 customers within a few minutes. Then service contracts,
        complaints, birthdays, saved segments and the first customer events. The
        classification is not recomputed here: call
        ``res.partner.crm_recompute_classification()``.

        :return: a dict of counts of what was created, and ``customer_ids``
        """
        self._check_generator_rights()
        if not isinstance(customers, int) or not 1 <= customers <= MAX_ORM_CUSTOMERS:
            raise UserError(self.env._(
                "The demo generator creates between 1 and %(max)s customers through the "
                "ORM; use generate_bulk() for more.", max=MAX_ORM_CUSTOMERS,
            ))
        if not isinstance(orders_per_customer, (int, float)) or not 1 <= orders_per_customer <= 60:
            raise UserError(self.env._(
                "The average number of orders per customer must be between 1 and 60."
            ))
        now = self._demo_now(now)
        started = time.monotonic()
        # The service and analytics steps set their own context: without the
        # sales steps' quiet one.
        plain = self
        self = self.with_context(**QUIET_CONTEXT)
        rng = random.Random(seed)
        today = fields.Date.context_today(self, now)
        company = self.env.company

        users = self._demo_sales_users(company)
        products = self._demo_products(company)
        self._demo_stock(company, products)
        plans = self._demo_customer_plans(rng, customers, orders_per_customer)
        partners = self._demo_create_customers(rng, plans, users, company)
        _logger.info("demo: %s customers, %s contacts (%.1fs)", len(partners),
                     len(partners.child_ids), time.monotonic() - started)

        orders_plan = self._demo_orders_plan(rng, plans, products, today, now)
        window = today - timedelta(days=INVOICE_WINDOW_DAYS)
        history = [order for order in orders_plan if order["date"].date() < window]
        history_count = self._demo_history_orders(history, company)
        _logger.info("demo: %s closed orders of history (%.1fs)", history_count,
                     time.monotonic() - started)
        orders = self._demo_create_orders(
            [order for order in orders_plan if order["date"].date() >= window], today, company)
        _logger.info("demo: %s confirmed orders (%.1fs)", len(orders), time.monotonic() - started)
        self._demo_deliver(rng, orders, today)
        invoices = self._demo_invoice(rng, orders, today)
        _logger.info("demo: %s invoices (%.1fs)", len(invoices), time.monotonic() - started)
        payments = self._demo_pay(rng, plans, invoices, today)
        refunds = self._demo_refund(rng, invoices, today)
        quotations, leads = self._demo_pipeline(rng, plans, products, users, today, company)
        self._demo_key_accounts_and_limits(plans, users, company)
        blacklisted = self._demo_blacklist(rng, plans, now)
        self.env.flush_all()
        summary = {
            "customers": len(partners),
            "contacts": len(partners.child_ids),
            "products": len(products),
            "orders": history_count + len(orders),
            "quotations": len(quotations),
            "invoices": len(invoices),
            "payments": len(payments),
            "refunds": len(refunds),
            "leads": len(leads),
            "blacklisted": len(blacklisted),
            "seconds": round(time.monotonic() - started, 1),
        }
        # Service (complaints, contracts, visits), then the analytics' birthdays,
        # segments and customer events, each from its own random stream.
        summary.update(plain._demo_service(random.Random(seed + 1), partners, now))
        summary.update(plain._demo_customer_events(random.Random(seed + 2), partners, now))
        summary["seconds"] = round(time.monotonic() - started, 1)
        _logger.info("demo data generated: %s", summary)
        summary["customer_ids"] = partners.ids
        return summary

    @api.model
    def generate_bulk(self, customers=100000, order_lines=1000000, seed=7, company=None,
                      lines_per_order=10, now=None):
        """Write ``customers`` customers and about ``order_lines`` confirmed order
        lines (about ``lines_per_order`` per order) for a benchmark, with set-based SQL.

        Rows carry every column the ORM would write for a confirmed order without
        delivery or invoice yet: state 'sale', company, currency, taxes, amounts
        equal to the sum of the lines, names from the order sequence. Order dates
        spread over three years; the volume per customer is skewed (a core of
        customers buys most), some customers stopped buying a while ago, and
        some who never ordered have a sent quotation, so every lifecycle stage
        appears. No chatter, no procurement.

        :param company: res.company record or id (default: the current company)
        :return: a dict of counts and seconds
        """
        self._check_generator_rights()
        if not isinstance(customers, int) or customers < 1:
            raise UserError(self.env._("The number of customers must be a positive integer."))
        if not isinstance(order_lines, int) or order_lines < 0:
            raise UserError(self.env._("The number of order lines cannot be negative."))
        if not isinstance(lines_per_order, int) or lines_per_order < 1:
            raise UserError(self.env._("The number of lines per order must be a positive integer."))
        if isinstance(company, int):
            company = self.env["res.company"].browse(company).exists()
            if not company:
                raise UserError(self.env._("The company to generate demo data for does not exist."))
        company = company or self.env.company
        started = time.monotonic()
        # The bulk SQL reads the moment from the context: one value for all statements.
        self = self.with_context(**QUIET_CONTEXT, crm_demo_now=self._demo_now(now)).with_company(
            company)
        cr = self.env.cr
        users = self._demo_sales_users(company)
        products = self._demo_products(company)
        self.env.flush_all()

        cr.execute(SQL("SELECT setseed(%s)", ((seed % 1000) / 1000.0)))
        partner_count = self._bulk_partners(customers, users, company)
        _logger.info("bulk: %s customers (%.1fs)", partner_count, time.monotonic() - started)
        order_count, line_count, quotation_count = self._bulk_orders(
            order_lines, products, users, company, lines_per_order)
        _logger.info("bulk: %s orders, %s lines, %s quotations (%.1fs)", order_count, line_count,
                     quotation_count, time.monotonic() - started)
        cr.execute(SQL("DROP TABLE IF EXISTS crm_bulk_partner"))
        for table in ("res_partner", "sale_order", "sale_order_line",
                      "account_tax_sale_order_line_rel"):
            cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        summary = {
            "customers": partner_count,
            "orders": order_count,
            "order_lines": line_count,
            "quotations": quotation_count,
            "seconds": round(time.monotonic() - started, 1),
        }
        _logger.info("bulk demo data generated: %s", summary)
        return summary

    @api.model
    def _demo_now(self, now=None):
        """``now`` as a naive UTC datetime: the real clock when not given."""
        if not now:
            return fields.Datetime.now()
        try:
            value = fields.Datetime.to_datetime(now)
        except (TypeError, ValueError):
            value = None
        if not value or not 1900 <= value.year <= 2100:
            raise UserError(self.env._(
                "The demo generator's moment must be a date and time between 1900 and 2100 "
                "(YYYY-MM-DD HH:MM:SS, UTC), not %(value)r.", value=now,
            ))
        return value.replace(tzinfo=None, microsecond=0)

    def _check_generator_rights(self):
        if not (self.env.su or self.env.user.has_group("base.group_system")):
            raise AccessError(self.env._("Only administrators may generate demo data."))

    def _demo_chinese(self):
        """Whether Simplified Chinese is active: the demo's own records then get
        their Chinese names (``tools/dev.py run`` loads it)."""
        return bool(self.env["res.lang"]._get_data(code="zh_CN").active)

    def _demo_translate(self, records, names_zh):
        """Set the Chinese translation of the ``name`` of ``records`` (one model)
        to ``names_zh`` ({id: name}), in one statement, when Chinese is active.
        The English name stays the source; the write date moves as the ORM's
        translation update would move it."""
        if not records or not self._demo_chinese():
            return
        records.flush_recordset(["name"])
        ids = list(names_zh)
        self.env.cr.execute(SQL(
            """UPDATE %s t
                  SET name = t.name || jsonb_build_object('zh_CN', v.name_zh),
                      write_date = %s, write_uid = %s
                 FROM unnest(%s::int[], %s::varchar[]) AS v(id, name_zh)
                WHERE t.id = v.id""",
            SQL.identifier(records._table), self.env.cr.now(), self.env.uid,
            ids, [names_zh[record_id] for record_id in ids],
        ))
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Master data: users, teams, products, stock
    # ------------------------------------------------------------------

    def _demo_sales_users(self, company):
        """Four salespeople in two teams; reused when they exist."""
        Users = self.env["res.users"].with_context(active_test=False)
        salesman = self.env.ref("sales_team.group_sale_salesman")
        manager = self.env.ref("sales_team.group_sale_manager")
        crm_manager = self.env.ref("crm_extended.group_crm_extended_manager")
        chinese = self._demo_chinese()
        existing = {user.login: user for user in Users.search(
            [("login", "in", [login for login, *_ in SALES_USERS])])}
        users = {}
        to_create = []
        for login, name, _team, is_manager in SALES_USERS:
            if login in existing:
                users[login] = existing[login]
                continue
            groups = [salesman.id] + ([manager.id, crm_manager.id] if is_manager else [])
            to_create.append({
                "name": name,
                # The Chinese sales team works in Chinese when it is loaded.
                **({"lang": "zh_CN"} if chinese and not name.isascii() else {}),
                "login": login,
                "email": f"{login}@meat-demo.example.com",
                "company_id": company.id,
                "company_ids": [Command.link(company.id)],
                "group_ids": [Command.set(groups)],
            })
        for user in Users.create(to_create):
            users[user.login] = user
        teams = {}
        for key, name in TEAMS.items():
            team = self.env["crm.team"].search(
                [("name", "=", name), ("company_id", "in", [company.id, False])], limit=1)
            members = [users[login] for login, _n, team_key, _m in SALES_USERS if team_key == key]
            leader = next(users[login] for login, _n, team_key, is_manager in SALES_USERS
                          if team_key == key and is_manager)
            if not team:
                team = self.env["crm.team"].create({
                    "name": name,
                    "company_id": company.id,
                    "user_id": leader.id,
                    "member_ids": [Command.set([user.id for user in members])],
                })
                self._demo_translate(team, {team.id: TEAMS_ZH[key]})
            teams[key] = team
        return {"users": users, "teams": teams}

    def _demo_products(self, company):
        """The catalogue of PRODUCTS, created once (found again by internal reference)."""
        Product = self.env["product.product"].with_context(active_test=False)
        found = {p.default_code: p for p in Product.search(
            [("default_code", "in", [row[0] for row in PRODUCTS]),
             ("company_id", "in", [company.id, False])])}
        categories = {}
        goods = self.env.ref("product.product_category_goods")
        services = self.env.ref("product.product_category_services")
        for name in dict.fromkeys(row[2] for row in PRODUCTS):
            parent = services if name == "Services" else goods
            category = self.env["product.category"].search(
                [("name", "=", name), ("parent_id", "=", parent.id)], limit=1)
            categories[name] = category or self.env["product.category"].create(
                {"name": name, "parent_id": parent.id})
        vals_list = []
        for code, name, category, kind, uom, price, cost in PRODUCTS:
            if code in found:
                continue
            vals_list.append({
                "default_code": code,
                "name": name,
                "categ_id": categories[category].id,
                "type": "service" if kind == "service" else "consu",
                "is_storable": kind == "storable",
                "uom_id": self.env.ref(uom).id,
                "list_price": price,
                "standard_price": cost,
                "invoice_policy": "order",
                "sale_ok": True,
            })
        created = Product.create(vals_list)
        for product in created:
            found[product.default_code] = product
        self._demo_translate(created.product_tmpl_id, {
            product.product_tmpl_id.id: PRODUCT_NAMES_ZH[product.default_code]
            for product in created})
        return found

    def _demo_stock(self, company, products):
        """Opening stock so the recent deliveries can be validated."""
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        storable = [p for p in products.values() if p.is_storable]
        on_hand = {
            product: qty for product, qty in self.env["stock.quant"]._read_group(
                [("product_id", "in", [p.id for p in storable]),
                 ("location_id", "=", warehouse.lot_stock_id.id)],
                ["product_id"], ["quantity:sum"])
        }
        quants = self.env["stock.quant"].with_context(inventory_mode=True).create([
            {
                "product_id": product.id,
                "location_id": warehouse.lot_stock_id.id,
                "inventory_quantity": on_hand.get(product, 0.0) + 500000.0,
            }
            for product in storable
        ])
        quants.action_apply_inventory()

    # ------------------------------------------------------------------
    # Customers
    # ------------------------------------------------------------------

    def _demo_customer_plans(self, rng, customers, orders_per_customer):
        """Decide who each customer is and when they buy: a list of dicts."""
        # Quotas per profile, each present once there is room for all of them.
        quotas = {name: share * customers for name, share in PROFILES}
        counts = {name: int(q) for name, q in quotas.items()}
        if customers >= len(PROFILES):
            counts = {name: max(1, c) for name, c in counts.items()}
        remainder = customers - sum(counts.values())
        by_fraction = sorted(quotas, key=lambda n: quotas[n] - int(quotas[n]), reverse=True)
        index = 0
        while remainder > 0:
            counts[by_fraction[index % len(by_fraction)]] += 1
            remainder -= 1
            index += 1
        while remainder < 0:
            largest = max(counts, key=counts.get)
            counts[largest] -= 1
            remainder += 1
        profiles = [name for name, count in counts.items() for _i in range(count)]
        rng.shuffle(profiles)

        scale = NATURAL_ORDERS_PER_CUSTOMER / orders_per_customer
        plans = []
        for profile in profiles:
            individual = rng.random() < INDIVIDUAL_SHARE
            if individual:
                segment = "individual"
            else:
                segment = rng.choices(
                    [s for s, _w in COMPANY_SEGMENTS], [w for _s, w in COMPANY_SEGMENTS])[0]
            # Log-normal spread of order values: a few customers make most revenue.
            size = SEGMENTS[segment]["order_value"] * rng.lognormvariate(0.0, 0.55)
            if profile in ("loyal", "old") and segment != "individual":
                size *= 1.6
            payer = rng.choices([p[0] for p in PAYERS], [p[1] for p in PAYERS])[0]
            plans.append({
                "profile": profile,
                "segment": segment,
                "individual": individual,
                "chinese": rng.random() < CHINESE_SHARE,
                "size": size,
                "payer": payer,
                "days": self._demo_order_days(rng, profile, scale),
            })
        return plans

    def _demo_order_days(self, rng, profile, scale):
        """Days ago of each order of one customer, oldest first."""

        def series(first, last, interval, jitter=0.3):
            days, day = [], float(first)
            while day >= last:
                days.append(int(round(day)))
                day -= interval * rng.uniform(1 - jitter, 1 + jitter)
            return days

        if profile == "potential":
            return []
        if profile == "new":
            first = rng.randint(6, 80)
            extra = rng.choice([0, 0, 1, 1, 2])
            return sorted({first, *(rng.randint(0, first) for _i in range(extra))}, reverse=True)
        if profile == "regular":
            interval = min(75.0, rng.uniform(28, 50) * scale)
            return series(rng.randint(150, 650), rng.uniform(0, interval * 0.8), interval)
        if profile == "old":
            interval = min(110.0, rng.uniform(55, 95) * scale)
            return series(rng.randint(760, 1040), rng.uniform(0, interval * 0.8), interval)
        if profile == "loyal":
            # Steady monthly buyer for more than three years.
            interval = min(40.0, rng.uniform(27, 33) * max(scale, 1.0))
            return series(rng.randint(1120, 1230), rng.uniform(0, 12), interval, jitter=0.15)
        if profile == "at_risk":
            interval = min(55.0, rng.uniform(25, 40) * scale)
            stop = rng.randint(int(max(3.2 * interval, 110)), 320)
            return series(rng.randint(stop + 300, stop + 700), stop, interval, jitter=0.2)
        if profile == "lost":
            interval = min(180.0, rng.uniform(45, 110) * scale)
            stop = rng.randint(420, 800)
            return series(rng.randint(stop + 120, stop + 450), stop, interval)
        # occasional: one to three orders at random, ambiguous on purpose
        count = rng.choice([1, 2, 2, 3])
        return sorted({rng.randint(100, 700) for _i in range(count)}, reverse=True)

    def _demo_create_customers(self, rng, plans, users, company):
        """Create the commercial partners (companies and people) and their contacts."""
        countries = {
            xmlid: self.env.ref(xmlid).id
            for xmlid in {"base.cn", *(city[1] for city in EN_CITIES)}
        }
        tags = {}
        for segment, data in SEGMENTS.items():
            tag = self.env["res.partner.category"].search([("name", "=", data["tag"])], limit=1)
            if not tag:
                tag = self.env["res.partner.category"].create({"name": data["tag"]})
                self._demo_translate(tag, {tag.id: data["tag_zh"]})
            tags[segment] = tag
        # Chinese customers and their contacts read their documents in Chinese.
        chinese_lang = {"lang": "zh_CN"} if self._demo_chinese() else {}
        terms = {
            segment: self.env.ref(data["payment_term"], raise_if_not_found=False)
            for segment, data in SEGMENTS.items()
        }
        cn_sales = [users["users"]["li.na"], users["users"]["wang.lei"]]
        en_sales = [users["users"]["john.smith"], users["users"]["emma.wilson"]]
        used_names = set()
        vals_list = []
        for plan in plans:
            chinese = plan["chinese"]
            if chinese:
                city, city_py, area, zip_code = rng.choice(CN_CITIES)
                country = countries["base.cn"]
                street = f"{rng.choice(CN_STREETS)}{rng.randint(1, 999)}号"
            else:
                city, country_xmlid, dial, zip_code = rng.choice(EN_CITIES)
                country = countries[country_xmlid]
                street = f"{rng.randint(1, 899)} {rng.choice(EN_STREETS)}"
            if plan["individual"]:
                name = self._demo_person_name(rng, chinese, used_names)
                if chinese:
                    email = f"{rng.randint(10**7, 10**9)}@{rng.choice(['qq.com', '163.com'])}"
                else:
                    email = name.lower().replace(" ", ".") + "@" + rng.choice(
                        ["gmail.com", "outlook.com", "icloud.com"])
                domain = None
            else:
                name, domain = self._demo_company_name(rng, plan["segment"], chinese, city,
                                                       city_py if chinese else None, used_names)
                email = f"{rng.choice(['sales', 'purchasing', 'info'])}@{domain}"
            if chinese:
                phone = f"+86 {area} {rng.randint(5000, 8999)} {rng.randint(1000, 9999)}"
            else:
                phone = f"{dial} {rng.randint(1000, 9999)}"
            salesperson = rng.choice(cn_sales if chinese else en_sales)
            plan.update(domain=domain, salesperson=salesperson)
            term = terms[plan["segment"]]
            vals_list.append({
                "name": name,
                **(chinese_lang if chinese else {}),
                "is_company": not plan["individual"],
                "street": street,
                "city": city,
                "zip": zip_code,
                "country_id": country,
                "email": email,
                "phone": phone,
                "user_id": salesperson.id,
                "category_id": [Command.link(tags[plan["segment"]].id)],
                "property_payment_term_id": term.id if term else False,
                "website": f"https://www.{domain}" if domain and rng.random() < 0.6 else False,
            })
        partners = self.env["res.partner"].create(vals_list)
        contact_vals = []
        for plan, partner in zip(plans, partners, strict=False):
            plan["partner"] = partner
            if plan["individual"]:
                continue
            count = rng.choice([1, 1, 2, 2, 3]) if plan["segment"] != "restaurant" else rng.choice([1, 2])
            for position in range(count):
                name = self._demo_person_name(rng, plan["chinese"], None)
                if plan["chinese"]:
                    function = CN_FUNCTIONS[(position + rng.randint(0, 1)) % len(CN_FUNCTIONS)]
                    email = f"{['purchasing', 'finance', 'gm', 'chef', 'warehouse'][position]}@{plan['domain']}"
                else:
                    function = EN_FUNCTIONS[(position + rng.randint(0, 1)) % len(EN_FUNCTIONS)]
                    email = f"{name.lower().replace(' ', '.')}@{plan['domain']}"
                contact_vals.append({
                    "name": name,
                    "lang": partner.lang,
                    "parent_id": partner.id,
                    "type": "contact",
                    "function": function,
                    "email": email,
                    "phone": partner.phone[:-4] + str(rng.randint(1000, 9999)),
                })
        self.env["res.partner"].create(contact_vals)
        return partners

    def _demo_person_name(self, rng, chinese, used_names):
        for attempt in range(50):
            if chinese:
                name = rng.choice(CN_SURNAMES) + rng.choice(CN_GIVEN)
            else:
                name = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
            if used_names is None or name not in used_names or attempt == 49:
                break
        if used_names is not None:
            if name in used_names:
                name = f"{name} ({len(used_names)})"
            used_names.add(name)
        return name

    def _demo_company_name(self, rng, segment, chinese, city, city_py, used_names):
        """A unique, plausible company name and its e-mail domain."""
        for attempt in range(60):
            if chinese:
                core, core_py = rng.choice(CN_CORES)
                kind = rng.choice(CN_KINDS[segment])
                name = f"{city}{core}{kind}"
                domain = f"{city_py}{core_py}.com.cn"
            else:
                prefix = rng.choice(EN_PREFIXES)
                kind = rng.choice(EN_KINDS[segment])
                name = f"{prefix} {kind}"
                if attempt > 20:
                    name = f"{prefix} {kind} {city}"
                slug = prefix.lower().replace(" ", "")
                domain = f"{slug}-{kind.split()[0].lower()}.com"
            if name not in used_names:
                break
        else:
            name = f"{name} {len(used_names)}"
        used_names.add(name)
        return name, domain

    # ------------------------------------------------------------------
    # Orders, deliveries, invoices, payments
    # ------------------------------------------------------------------

    def _demo_order_lines(self, rng, plan, products, value):
        """(product, quantity) pairs worth about ``value`` from the customer's basket."""
        segment = SEGMENTS[plan["segment"]]
        count = rng.randint(*segment["lines"])
        basket = rng.sample(segment["basket"], min(count, len(segment["basket"])))
        weights = [rng.uniform(0.5, 1.5) for _code in basket]
        total_weight = sum(weights)
        kilogram = self.env.ref("uom.product_uom_kgm")
        lines = []
        for code, weight in zip(basket, weights, strict=False):
            product = products[code]
            amount = value * weight / total_weight
            if product.type == "service":
                qty = max(1, min(round(amount / product.list_price), 20))
            elif product.uom_id == kilogram and amount > 400:
                qty = max(5, round(amount / product.list_price / 5) * 5)
            elif product.uom_id == kilogram:
                qty = max(0.5, round(amount / product.list_price * 2) / 2)
            else:
                qty = max(1, round(amount / product.list_price))
            lines.append((product, qty))
        return lines

    def _demo_orders_plan(self, rng, plans, products, today, now):
        """Every order of every customer: (plan, ordering contact, datetime, lines),
        none after ``now``."""
        orders = []
        for plan in plans:
            partner = plan["partner"]
            days = plan["days"]
            for position, day in enumerate(days):
                # Loyal customers grow a little year on year; order sizes vary.
                trend = 1.0 + (0.08 * (len(days) - position) / 12 if plan["profile"] == "loyal" else 0)
                value = plan["size"] * rng.uniform(0.6, 1.4) / trend
                order_date = min(now, datetime.combine(today - timedelta(days=day), dt_time(
                    rng.randint(1, 10), rng.randint(0, 59), rng.randint(0, 59))))
                contact = partner
                if partner.child_ids and rng.random() < 0.3:
                    contact = rng.choice(partner.child_ids)
                reference = False
                if plan["segment"] in ("manufacturer", "wholesale", "retail"):
                    reference = f"PO-{order_date:%Y}-{rng.randint(100, 9999):04d}"
                orders.append({
                    "plan": plan,
                    "contact": contact,
                    "date": order_date,
                    "reference": reference,
                    "lines": self._demo_order_lines(rng, plan, products, value),
                })
        orders.sort(key=lambda order: order["date"])
        return orders

    def _demo_history_orders(self, history, company):
        """Orders before the invoicing window, written in one go with SQL: closed
        history (confirmed, delivered, invoiced, locked) as kept from a previous
        system, without pickings or invoice documents."""
        if not history:
            return 0
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(SQL(
            "SELECT nextval('sale_order_id_seq') FROM generate_series(1, %s)", len(history)))
        order_ids = [row[0] for row in cr.fetchall()]
        line_count = sum(len(order["lines"]) for order in history)
        cr.execute(SQL(
            "SELECT nextval('sale_order_line_id_seq') FROM generate_series(1, %s)", line_count))
        line_ids = iter(row[0] for row in cr.fetchall())
        taxes = self._demo_product_taxes(company, {p for o in history for p, _q in o["lines"]})
        orders = defaultdict(list)
        lines = defaultdict(list)
        for order_id, order in zip(order_ids, history, strict=False):
            plan = order["plan"]
            partner = plan["partner"]
            for key, value in (
                ("id", order_id),
                ("partner_id", order["contact"].id),
                ("invoice_partner_id", partner.id),
                ("user_id", plan["salesperson"].id),
                ("team_id", plan["salesperson"].sale_team_id.id or None),
                ("payment_term_id", partner.property_payment_term_id.id or None),
                ("client_order_ref", order["reference"] or None),
                ("date_order", order["date"]),
            ):
                orders[key].append(value)
            for position, (product, qty) in enumerate(order["lines"]):
                tax_id, rate = taxes[product]
                for key, value in (
                    ("id", next(line_ids)),
                    ("order_id", order_id),
                    ("position", position + 1),
                    ("product_id", product.id),
                    ("uom_id", product.uom_id.id),
                    ("name", product.display_name),
                    ("qty", qty),
                    ("price", product.list_price),
                    ("tax_id", tax_id),
                    ("tax_rate", rate),
                    ("delivered_method", "stock_move" if product.type == "consu" else "manual"),
                ):
                    lines[key].append(value)
        cr.execute(SQL(
            """CREATE TEMP TABLE crm_demo_order ON COMMIT DROP AS
               SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::int[],
                                    %s::int[], %s::varchar[], %s::timestamp[])
                   AS t(id, partner_id, invoice_partner_id, user_id, team_id, payment_term_id,
                        client_order_ref, date_order)""",
            *(orders[key] for key in ("id", "partner_id", "invoice_partner_id", "user_id",
                                      "team_id", "payment_term_id", "client_order_ref",
                                      "date_order")),
        ))
        cr.execute(SQL(
            """CREATE TEMP TABLE crm_demo_line ON COMMIT DROP AS
               SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::int[],
                                    %s::varchar[], %s::numeric[], %s::numeric[], %s::int[],
                                    %s::numeric[], %s::varchar[])
                   AS t(id, order_id, position, product_id, uom_id, name, qty, price, tax_id,
                        tax_rate, delivered_method)""",
            *(lines[key] for key in ("id", "order_id", "position", "product_id", "uom_id", "name",
                                     "qty", "price", "tax_id", "tax_rate", "delivered_method")),
        ))
        count, _lines = self._sql_insert_orders(company, closed=True)
        cr.execute(SQL("DROP TABLE crm_demo_order, crm_demo_line"))
        return count

    def _demo_product_taxes(self, company, products):
        """(tax id, rate) per product as the ORM puts them on an order line: the
        product's one percent tax excluded from the price, else no tax."""
        result = {}
        for product in products:
            tax = product.taxes_id.filtered(lambda t: t.company_id == company)
            if len(tax) == 1 and tax.amount_type == "percent" and not tax.price_include:
                result[product] = (tax.id, tax.amount / 100.0)
            else:
                result[product] = (None, 0.0)
        return result

    def _sql_insert_orders(self, company, closed, state="sale"):
        """Write confirmed sale orders and lines from the temporary tables
        crm_demo_order(id, partner_id, invoice_partner_id, user_id, team_id,
        payment_term_id, client_order_ref, date_order) and crm_demo_line(id,
        order_id, position, product_id, uom_id, name, qty, price, tax_id, tax_rate,
        delivered_method), with the values the ORM computes: line amounts rounded
        per line, order taxes rounded per line or globally per tax as the company
        says, names from the order sequence in order of date.

        ``closed``: the orders are history, delivered and invoiced outside this
        database and locked; otherwise they wait for delivery and invoicing.
        ``state``: 'sale', or 'sent' for quotations sent to the customer."""
        cr = self.env.cr
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        sequence = self.env["ir.sequence"].search(
            [("code", "=", "sale.order"), ("company_id", "in", [company.id, False])],
            order="company_id", limit=1)
        prefix, suffix = sequence._get_prefix_suffix() if sequence else ("S", "")
        padding = sequence.padding if sequence else 5
        first_number = sequence.number_next_actual if sequence else 1
        cr.execute(SQL(
            """CREATE TEMP TABLE crm_demo_amount ON COMMIT DROP AS
               SELECT l.*, round(l.qty * l.price, 2) AS subtotal,
                      round(round(l.qty * l.price, 2) * l.tax_rate, 2) AS tax
                 FROM crm_demo_line l"""
        ))
        confirmed = state == "sale"
        status = "invoiced" if closed else ("to invoice" if confirmed else "no")
        cr.execute(SQL(
            """
            INSERT INTO sale_order (
                id, name, state, company_id, partner_id, partner_invoice_id, partner_shipping_id,
                currency_id, currency_rate, user_id, team_id, payment_term_id, client_order_ref,
                date_order, validity_date, picking_policy, warehouse_id, invoice_status,
                amount_untaxed, amount_tax, amount_total, locked, require_signature,
                require_payment, prepayment_percent, create_uid, write_uid, create_date,
                write_date)
            SELECT o.id,
                   %(prefix)s || lpad((%(first)s - 1 + row_number() OVER (ORDER BY o.date_order, o.id))::text,
                                      %(padding)s, '0') || %(suffix)s,
                   %(state)s, %(company)s, o.partner_id, o.invoice_partner_id, o.invoice_partner_id,
                   %(currency)s, 1.0, o.user_id, o.team_id, o.payment_term_id, o.client_order_ref,
                   o.date_order, (o.date_order + interval '1 day' * %(validity)s)::date,
                   'direct', %(warehouse)s, %(status)s, a.untaxed, a.tax, a.untaxed + a.tax,
                   %(closed)s, %(sign)s, %(pay)s, %(prepayment)s, %(uid)s, %(uid)s,
                   o.date_order, o.date_order
              FROM crm_demo_order o
              JOIN (SELECT order_id, sum(untaxed) AS untaxed, sum(tax) AS tax
                      FROM (SELECT order_id, sum(subtotal) AS untaxed,
                                   CASE WHEN %(globally)s
                                        THEN round(sum(subtotal * tax_rate), 2)
                                        ELSE sum(tax) END AS tax
                              FROM crm_demo_amount GROUP BY order_id, tax_id) per_tax
                     GROUP BY order_id) a ON a.order_id = o.id
            """,
            prefix=prefix or "", suffix=suffix or "", first=first_number, padding=padding,
            company=company.id, currency=company.currency_id.id,
            validity=company.quotation_validity_days or 0, warehouse=warehouse.id or None,
            globally=company.tax_calculation_rounding_method == "round_globally",
            state=state, status=status, closed=closed, sign=company.portal_confirmation_sign,
            pay=company.portal_confirmation_pay, prepayment=company.prepayment_percent or 1.0,
            uid=self.env.uid,
        ))
        order_count = cr.rowcount
        cr.execute(SQL(
            """
            INSERT INTO sale_order_line (
                id, order_id, sequence, company_id, currency_id, order_partner_id, salesman_id,
                product_id, product_uom_id, state, qty_delivered_method, invoice_status, name,
                product_uom_qty, price_unit, technical_price_unit, discount, price_subtotal,
                price_tax, price_total, price_reduce_taxexcl, price_reduce_taxinc,
                qty_delivered, qty_invoiced, qty_to_invoice, untaxed_amount_invoiced,
                untaxed_amount_to_invoice, customer_lead, warehouse_id, collapse_prices,
                collapse_composition, create_uid, write_uid, create_date, write_date)
            SELECT l.id, l.order_id, 10 + l.position, %(company)s, %(currency)s, o.partner_id,
                   o.user_id, l.product_id, l.uom_id, %(state)s, l.delivered_method, %(status)s,
                   l.name, l.qty, l.price, l.price, 0, l.subtotal, l.tax, l.subtotal + l.tax,
                   CASE WHEN l.qty <> 0 THEN l.subtotal / l.qty ELSE 0 END,
                   CASE WHEN l.qty <> 0 THEN (l.subtotal + l.tax) / l.qty ELSE 0 END,
                   CASE WHEN %(closed)s THEN l.qty ELSE 0 END,
                   CASE WHEN %(closed)s THEN l.qty ELSE 0 END,
                   CASE WHEN %(open)s THEN l.qty ELSE 0 END,
                   CASE WHEN %(closed)s THEN l.subtotal ELSE 0 END,
                   CASE WHEN %(open)s THEN l.subtotal ELSE 0 END,
                   0, %(warehouse)s, false, false, %(uid)s, %(uid)s, o.date_order, o.date_order
              FROM crm_demo_amount l JOIN crm_demo_order o ON o.id = l.order_id
            """,
            company=company.id, currency=company.currency_id.id, state=state, status=status,
            closed=closed, open=confirmed and not closed, warehouse=warehouse.id or None,
            uid=self.env.uid,
        ))
        line_count = cr.rowcount
        cr.execute(SQL(
            "INSERT INTO account_tax_sale_order_line_rel (sale_order_line_id, account_tax_id) "
            "SELECT id, tax_id FROM crm_demo_line WHERE tax_id IS NOT NULL"
        ))
        cr.execute(SQL(
            "UPDATE res_partner p SET customer_rank = 1 WHERE %s AND customer_rank = 0 AND id IN "
            "(SELECT rp.commercial_partner_id FROM crm_demo_order o "
            "JOIN res_partner rp ON rp.id = o.partner_id)",
            confirmed,
        ))
        cr.execute(SQL("DROP TABLE crm_demo_amount"))
        if sequence:
            sequence.sudo().write({"number_next": first_number + order_count})
        self.env.invalidate_all()
        return order_count, line_count

    def _demo_create_orders(self, orders_plan, today, company):
        """Create and confirm the orders of the invoicing window through the ORM,
        then date them back (confirmation dates them today)."""
        taxes = self._demo_product_taxes(company, {p for o in orders_plan for p, _q in o["lines"]})
        vals_list, dates = [], []
        for order in orders_plan:
            plan = order["plan"]
            salesperson = plan["salesperson"]
            vals_list.append({
                "partner_id": order["contact"].id,
                "partner_invoice_id": plan["partner"].id,
                "partner_shipping_id": plan["partner"].id,
                "user_id": salesperson.id,
                "team_id": salesperson.sale_team_id.id,
                "company_id": company.id,
                "date_order": order["date"],
                "client_order_ref": order["reference"],
                "order_line": [
                    Command.create({
                        "product_id": product.id,
                        "product_uom_qty": qty,
                        # What the line computes anyway: given, to spare the lookups.
                        "product_uom_id": product.uom_id.id,
                        "name": product.display_name,
                        "price_unit": product.list_price,
                        "technical_price_unit": product.list_price,
                        "discount": 0.0,
                        "tax_ids": [Command.set([taxes[product][0]] if taxes[product][0]
                                                else product.taxes_id.ids)],
                    })
                    for product, qty in order["lines"]
                ],
            })
            dates.append(order["date"])
        SaleOrder = self.env["sale.order"]
        created = SaleOrder
        for start in range(0, len(vals_list), ORM_BATCH):
            batch = SaleOrder.create(vals_list[start:start + ORM_BATCH])
            recent = SaleOrder.browse([
                order.id for order, date in zip(batch, dates[start:start + ORM_BATCH], strict=False)
                if (today - date.date()).days <= DELIVERY_WINDOW_DAYS
            ])
            # Older orders were delivered before the delivery window: no picking.
            (batch - recent).with_context(skip_procurement=True).action_confirm()
            recent.action_confirm()
            created |= batch
            self.env.flush_all()
            _logger.info("demo: %s/%s orders confirmed", len(created), len(vals_list))
        self._demo_sql_dates("sale_order", created.ids, dates, ["date_order", "create_date"])
        delivered = created.filtered(
            lambda o: (today - o.date_order.date()).days > DELIVERY_WINDOW_DAYS)
        if delivered:
            self.env.cr.execute(SQL(
                "UPDATE sale_order_line SET qty_delivered = product_uom_qty "
                "WHERE order_id = ANY(%s) AND display_type IS NULL",
                delivered.ids,
            ))
        self.env.invalidate_all()
        return created

    def _demo_sql_dates(self, table, ids, values, columns):
        """Set date columns of many rows in one statement."""
        if not ids:
            return
        assignments = SQL(", ").join(
            SQL("%s = v.value", SQL.identifier(column)) for column in columns
        )
        self.env.cr.execute(SQL(
            "UPDATE %s AS t SET %s FROM unnest(%s::int[], %s::timestamp[]) AS v(id, value) "
            "WHERE t.id = v.id",
            SQL.identifier(table), assignments, list(ids), list(values),
        ))

    def _demo_deliver(self, rng, orders, today):
        """Validate the deliveries of the recent orders, except the last few days'."""
        pickings = orders.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        to_validate = pickings.filtered(
            lambda p: (today - p.sale_id.date_order.date()).days >= OPEN_DAYS
        )
        for move in to_validate.move_ids:
            move.quantity = move.product_uom_qty
        to_validate.move_ids.picked = True
        to_validate._action_done()
        self.env.flush_all()
        # Date the pickings and their moves one or two days after the order.
        done_dates = {
            picking.id: picking.sale_id.date_order + timedelta(
                days=rng.choice([1, 1, 2]), hours=rng.randint(1, 6))
            for picking in to_validate
        }
        self._demo_sql_dates("stock_picking", list(done_dates), list(done_dates.values()),
                             ["date_done", "scheduled_date", "create_date"])
        moves = to_validate.move_ids
        self._demo_sql_dates("stock_move", moves.ids,
                             [done_dates[move.picking_id.id] for move in moves], ["date"])
        move_lines = moves.move_line_ids
        self._demo_sql_dates("stock_move_line", move_lines.ids,
                             [done_dates[line.picking_id.id] for line in move_lines], ["date"])
        open_pickings = pickings - to_validate
        self._demo_sql_dates(
            "stock_picking", open_pickings.ids,
            [p.sale_id.date_order + timedelta(days=2) for p in open_pickings], ["scheduled_date"])
        self.env.cr.execute(SQL(
            "UPDATE sale_order so SET effective_date = p.date_done "
            "FROM stock_picking p WHERE p.sale_id = so.id AND p.id = ANY(%s)",
            list(done_dates),
        ))
        self.env.invalidate_all()

    def _demo_invoice(self, rng, orders, today):
        """One posted invoice per order, dated a few days after the order."""
        to_invoice = orders.filtered(
            lambda o: (today - o.date_order.date()).days >= OPEN_DAYS
        ).sorted("date_order")
        invoices = self.env["account.move"]
        Move = self.env["account.move"].with_context(default_move_type="out_invoice")
        for start in range(0, len(to_invoice), ORM_BATCH):
            vals_list = []
            for order in to_invoice[start:start + ORM_BATCH]:
                # Sale's own preparation, with the invoice date set at creation
                # (writing it afterwards recomputes every line).
                vals = order._prepare_invoice()
                vals["invoice_date"] = min(
                    order.date_order.date() + timedelta(days=rng.choice([0, 1, 1, 2, 3])), today)
                vals["invoice_line_ids"] = [
                    Command.create(line_vals)
                    for sequence, line in enumerate(order.order_line, start=1)
                    for line_vals in line._prepare_invoice_lines_vals_list(sequence=sequence)
                ]
                vals_list.append(vals)
            moves = Move.create(vals_list)
            moves.action_post()
            invoices |= moves
            self.env.flush_all()
            _logger.info("demo: %s/%s invoices posted", len(invoices), len(to_invoice))
        return invoices

    def _demo_pay(self, rng, plans, invoices, today):
        """Pay each invoice on time, late or not at all, after its customer's habit;
        invoices paid after today stay open (and overdue once due)."""
        payer_of = {plan["partner"].id: plan["payer"] for plan in plans}
        delays = {name: window for name, _share, window in PAYERS}
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", invoices.company_id[:1].id)], limit=1)
        to_pay = []
        for invoice in invoices:
            payer = payer_of.get(invoice.commercial_partner_id.id, "punctual")
            pay_date = invoice.invoice_date_due + timedelta(days=rng.randint(*delays[payer]))
            pay_date = max(pay_date, invoice.invoice_date)
            if payer == "defaulting" and rng.random() < 0.5:
                continue
            if pay_date <= today - timedelta(days=1):
                to_pay.append((invoice, pay_date))
        payments = self.env["account.payment"].create([
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": invoice.commercial_partner_id.id,
                "amount": invoice.amount_residual,
                "date": pay_date,
                "journal_id": journal.id,
                "memo": invoice.name,
            }
            for invoice, pay_date in to_pay
        ])
        payments.action_post()
        plan = []
        for (invoice, _date), payment in zip(to_pay, payments, strict=False):
            plan.append((invoice.line_ids | payment.move_id.line_ids).filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
                and not line.reconciled))
        self.env["account.move.line"]._reconcile_plan(plan)
        self.env.flush_all()
        _logger.info("demo: %s payments reconciled", len(payments))
        return payments

    def _demo_refund(self, rng, invoices, today):
        """A couple of credit notes: goods returned after a cold-chain failure."""
        open_invoices = invoices.filtered(
            lambda m: m.payment_state == "not_paid" and m.amount_total < 5000
        ).sorted("id")
        if not open_invoices:
            return self.env["account.move"]
        chosen = open_invoices.browse(rng.sample(open_invoices.ids, min(2, len(open_invoices))))
        refunds = chosen._reverse_moves(
            default_values_list=[
                {
                    "invoice_date": min(invoice.invoice_date + timedelta(days=5), today),
                    "ref": (f"{invoice.name}：冷链故障，退货"
                            if invoice.commercial_partner_id.country_id.code == "CN"
                            else f"{invoice.name}: goods returned, cold-chain failure"),
                }
                for invoice in chosen
            ],
            cancel=True,
        )
        return refunds

    # ------------------------------------------------------------------
    # Pipeline, key accounts, credit limits, blacklist
    # ------------------------------------------------------------------

    def _demo_pipeline(self, rng, plans, products, users, today, company):
        """Opportunities for potential customers and some upsell, a few open leads
        without a customer yet, sent quotations, lost and cancelled deals."""
        stages = self.env["crm.stage"].search([("is_won", "=", False)], order="sequence")
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        # pylint: disable-next=no-search-all  # every lost reason: lost opportunities are spread over all of them
        lost_reasons = self.env["crm.lost.reason"].search([])
        lead_vals, quotation_plans = [], []
        potential_ids = {plan["partner"].id for plan in plans if plan["profile"] == "potential"}
        for plan in plans:
            partner = plan["partner"]
            potential = plan["profile"] == "potential"
            if not potential and rng.random() > 0.12:
                continue
            title_en, title_cn = rng.choice(LEAD_TITLES)
            title = title_cn if plan["chinese"] else title_en
            expected = round(plan["size"] * rng.uniform(3, 12), -1)
            lead_vals.append({
                "name": f"{title}: {partner.name}",
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": plan["salesperson"].id,
                "team_id": plan["salesperson"].sale_team_id.id,
                "company_id": company.id,
                "expected_revenue": expected,
                "stage_id": rng.choice(stages).id if stages else False,
                "date_deadline": today + timedelta(days=rng.randint(10, 120)),
                "priority": rng.choice(["0", "1", "1", "2"]),
            })
            if potential or rng.random() < 0.3:
                quotation_plans.append((plan, len(lead_vals) - 1))
        for position in range(max(3, len(plans) // 25)):
            chinese = position % 2 == 0
            city = rng.choice(CN_CITIES)[0] if chinese else rng.choice(EN_CITIES)[0]
            contact = self._demo_person_name(rng, chinese, None)
            company_name, _domain = self._demo_company_name(
                rng, rng.choice(["restaurant", "retail"]), chinese, city, "lead", set())
            salesperson = users["users"]["li.na" if chinese else "john.smith"]
            lead_vals.append({
                "name": (f"{company_name} 询价" if chinese else f"Enquiry from {company_name}"),
                "type": "lead",
                "contact_name": contact,
                "partner_name": company_name,
                "city": city,
                "email_from": f"enquiry{position}@{'qq.com' if chinese else 'example.org'}",
                "user_id": salesperson.id,
                "team_id": salesperson.sale_team_id.id,
                "company_id": company.id,
                "expected_revenue": round(rng.uniform(2000, 40000), -2),
            })
        leads = self.env["crm.lead"].create(lead_vals)
        # A few upsell opportunities are lost to a competitor or on price.
        opportunities = leads.filtered(lambda lead: lead.type == "opportunity")
        upsell = opportunities.filtered(lambda lead: lead.partner_id.id not in potential_ids)
        if lost_reasons and len(upsell) > 2:
            lost = upsell.browse(rng.sample(upsell.ids, max(1, len(upsell) // 5)))
            lost.action_set_lost(lost_reason_id=rng.choice(lost_reasons).id)
        # Sent quotations, linked to their opportunity.
        quotation_vals = []
        for plan, lead_index in quotation_plans:
            lead = leads[lead_index]
            if not lead.active:
                continue
            value = plan["size"] * rng.uniform(0.8, 1.5)
            quotation_vals.append({
                "partner_id": plan["partner"].id,
                "user_id": plan["salesperson"].id,
                "team_id": plan["salesperson"].sale_team_id.id,
                "company_id": company.id,
                "opportunity_id": lead.id,
                "date_order": datetime.combine(today - timedelta(days=rng.randint(0, 20)),
                                               dt_time(rng.randint(1, 10), 0)),
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in self._demo_order_lines(rng, plan, products, value)
                ],
            })
        quotations = self.env["sale.order"].create(quotation_vals)
        sent = quotations.filtered(lambda q: rng.random() < 0.6)
        sent.action_quotation_sent()
        cancelled = (quotations - sent).filtered(lambda q: rng.random() < 0.25)
        cancelled._action_cancel()
        if won_stage:
            won = opportunities.filtered(
                lambda lead: lead.active and lead.partner_id.sale_order_count and rng.random() < 0.3)
            won.write({"stage_id": won_stage.id})
        return quotations, leads

    def _demo_key_accounts_and_limits(self, plans, users, company):
        """Key accounts (the biggest buyers) with an account manager, potential key
        accounts next to them, and Odoo's credit limit on some large customers."""
        buying = [plan for plan in plans if plan["days"] and not plan["individual"]]
        ranked = sorted(buying, key=lambda p: p["size"] * sum(1 for d in p["days"] if d <= 365),
                        reverse=True)
        key_count = max(1, len(plans) // 25)
        managers = {True: users["users"]["wang.lei"], False: users["users"]["emma.wilson"]}
        for rank, plan in enumerate(ranked[:2 * key_count]):
            plan["partner"].write({
                "crm_key_account": "key" if rank < key_count else "potential",
                "crm_account_manager_id": managers[plan["chinese"]].id,
            })
        company.account_use_credit_limit = True
        for plan in ranked[key_count:key_count + max(2, len(plans) // 60)]:
            plan["partner"].with_company(company).write({
                "credit_limit": round(plan["size"] * 3, -2),
                "use_partner_credit_limit": True,
            })

    def _demo_blacklist(self, rng, plans, now):
        """One or two bad customers on the commercial blacklist, with a reason."""
        candidates = [p for p in plans if p["days"] and p["payer"] in ("defaulting", "very_late")
                      and p["profile"] in ("lost", "at_risk", "occasional")]
        if not candidates:
            candidates = [p for p in plans if p["profile"] in ("lost", "at_risk")]
        chosen = rng.sample(candidates, min(len(plans) // 100 + 1, 2, len(candidates)))
        partners = self.env["res.partner"]
        for plan, (reason_en, reason_cn) in zip(chosen, BLACKLIST_REASONS, strict=False):
            # Written as superuser: the demo stands for a CRM manager's decision.
            plan["partner"].sudo().write({
                "crm_commercial_blacklist": True,
                "crm_blacklist_reason": reason_cn if plan["chinese"] else reason_en,
                "crm_blacklist_date": now,
                "crm_blacklist_user_id": self.env.ref("base.user_admin").id,
            })
            partners |= plan["partner"]
        return partners

    # ------------------------------------------------------------------
    # Bulk (SQL) generation
    # ------------------------------------------------------------------

    def _bulk_partners(self, customers, users, company):
        """Insert the customers in one statement; keep their ids in a temp table."""
        cr = self.env.cr
        cn = [u.id for login, u in users["users"].items() if login in ("li.na", "wang.lei")]
        en = [u.id for login, u in users["users"].items() if login in ("john.smith", "emma.wilson")]
        country_cn = self.env.ref("base.cn").id
        countries = [self.env.ref(city[1]).id for city in EN_CITIES]
        cr.execute(SQL("DROP TABLE IF EXISTS crm_bulk_partner"))
        # Customers come in a random order of size; "rank" 1 is the biggest buyer.
        cr.execute(SQL(
            """CREATE TEMP TABLE crm_bulk_partner ON COMMIT DROP AS
               SELECT g AS rank,
                      nextval('res_partner_id_seq')::int AS id,
                      random() < %(cn_share)s AS chinese,
                      random() < %(ind_share)s AS individual,
                      (random() * 1000000)::int AS r1,
                      (random() * 1000000)::int AS r2,
                      (random() * 1000000)::int AS r3,
                      random() AS churn,
                      random() AS start,
                      random() AS since
                 FROM generate_series(1, %(n)s) g""",
            cn_share=CHINESE_SHARE, ind_share=INDIVIDUAL_SHARE, n=customers,
        ))
        cr.execute(SQL("ALTER TABLE crm_bulk_partner ADD PRIMARY KEY (rank)"))
        cn_cities = [c[0] for c in CN_CITIES]
        cn_cores = [c[0] for c in CN_CORES]
        cn_kinds = [k for kinds in CN_KINDS.values() for k in kinds]
        en_cities = [c[0] for c in EN_CITIES]
        en_kinds = [k for kinds in EN_KINDS.values() for k in kinds]
        cn_given = CN_GIVEN
        cn_surnames = list(CN_SURNAMES)
        extra = self._bulk_required_defaults("res.partner", {
            "id", "name", "complete_name", "commercial_partner_id", "commercial_company_name",
            "is_company", "type", "active", "lang", "email", "email_normalized", "city",
            "country_id", "user_id", "customer_rank", "supplier_rank", "color", "partner_share",
            "autopost_bills", "message_bounce", "create_uid", "write_uid", "create_date",
            "write_date",
        })
        cr.execute(SQL(
            """
            INSERT INTO res_partner (
                id, name, complete_name, commercial_partner_id, commercial_company_name,
                is_company, type, active, lang, email, email_normalized, city, country_id,
                user_id, customer_rank, supplier_rank, color, partner_share, autopost_bills,
                message_bounce, create_uid, write_uid, create_date, write_date%(extra_columns)s)
            SELECT b.id, n.name, n.name, b.id, CASE WHEN b.individual THEN NULL ELSE n.name END,
                   NOT b.individual, 'contact', true, %(lang)s, n.email, n.email,
                   CASE WHEN b.chinese THEN (%(cn_cities)s::varchar[])[1 + b.r1 %% %(n_cn_cities)s]
                        ELSE (%(en_cities)s::varchar[])[1 + b.r1 %% %(n_en_cities)s] END,
                   CASE WHEN b.chinese THEN %(country_cn)s
                        ELSE (%(countries)s::int[])[1 + b.r1 %% %(n_en_cities)s] END,
                   CASE WHEN b.chinese THEN (%(cn)s::int[])[1 + b.r2 %% 2]
                        ELSE (%(en)s::int[])[1 + b.r2 %% 2] END,
                   1, 0, 0, true, 'ask', 0, %(uid)s, %(uid)s,
                   %(now)s::timestamp - interval '1 day' * (1100 + b.r3 %% 400),
                   %(now)s::timestamp
                   %(extra_values)s
              FROM crm_bulk_partner b
              CROSS JOIN LATERAL (
                SELECT CASE
                    WHEN b.individual AND b.chinese THEN
                        (%(cn_surnames)s::varchar[])[1 + b.r2 %% %(n_surnames)s]
                        || (%(cn_given)s::varchar[])[1 + b.r3 %% %(n_given)s]
                    WHEN b.individual THEN
                        (%(en_first)s::varchar[])[1 + b.r2 %% %(n_first)s] || ' '
                        || (%(en_last)s::varchar[])[1 + b.r3 %% %(n_last)s]
                    WHEN b.chinese THEN
                        (%(cn_cities)s::varchar[])[1 + b.r1 %% %(n_cn_cities)s]
                        || (%(cn_cores)s::varchar[])[1 + b.r2 %% %(n_cores)s]
                        || (%(cn_kinds)s::varchar[])[1 + b.r3 %% %(n_cn_kinds)s]
                        || CASE WHEN b.rank > 2000 THEN ' ' || (b.rank / 2000)::text ELSE '' END
                    ELSE
                        (%(en_prefixes)s::varchar[])[1 + b.r2 %% %(n_prefixes)s] || ' '
                        || (%(en_kinds)s::varchar[])[1 + b.r3 %% %(n_en_kinds)s]
                        || CASE WHEN b.rank > 250 THEN ' ' || (b.rank / 250)::text ELSE '' END
                    END AS name,
                    'customer' || b.rank || '@' || CASE WHEN b.chinese THEN 'example.cn'
                                                        ELSE 'example.com' END AS email
              ) n
             ORDER BY b.rank
            """,
            lang=self.env.lang or "en_US",
            cn_cities=cn_cities, n_cn_cities=len(cn_cities),
            en_cities=en_cities, n_en_cities=len(en_cities),
            country_cn=country_cn, countries=countries, cn=cn, en=en,
            uid=self.env.uid,
            cn_surnames=cn_surnames, n_surnames=len(cn_surnames),
            cn_given=cn_given, n_given=len(cn_given),
            en_first=EN_FIRST, n_first=len(EN_FIRST), en_last=EN_LAST, n_last=len(EN_LAST),
            cn_cores=cn_cores, n_cores=len(cn_cores), cn_kinds=cn_kinds, n_cn_kinds=len(cn_kinds),
            en_prefixes=EN_PREFIXES, n_prefixes=len(EN_PREFIXES),
            en_kinds=en_kinds, n_en_kinds=len(en_kinds),
            now=self._demo_now(self.env.context.get("crm_demo_now")),
            extra_columns=SQL("").join(SQL(", %s", SQL.identifier(c)) for c in extra),
            extra_values=SQL("").join(SQL(", %s", v) for v in extra.values()),
        ))
        return cr.rowcount

    def _bulk_required_defaults(self, model, columns):
        """{column: default} for the required columns of ``model`` that the bulk
        INSERT does not list and the database has no default for: installed
        modules add such columns (e.g. purchase_stock's ``group_rfq`` on
        partners), their ORM default fills them."""
        Model = self.env[model]
        self.env.cr.execute(SQL(
            """SELECT column_name FROM information_schema.columns
                WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL""",
            Model._table,
        ))
        extra = {}
        for (column,) in self.env.cr.fetchall():
            field = Model._fields.get(column)
            if column in columns or not field or not field.default:
                continue
            extra[column] = field.convert_to_column(field.default(Model), Model)
        return extra

    def _bulk_orders(self, order_lines, products, users, company, lines_per_order=10):
        """Insert orders and lines: random cut points split the lines into orders
        (about ten lines each); 60% of the orders go to the core 4% of the
        customers (the first ranks most), the others to anyone, so a few buy
        often and much, many once or never."""
        cr = self.env.cr
        if not order_lines:
            return 0, 0, 0
        cr.execute(SQL("SELECT count(*) FROM crm_bulk_partner"))
        customers = cr.fetchone()[0]
        order_count = min(max(1, round(order_lines / lines_per_order)), order_lines)
        goods = [p for p in products.values() if p.type == "consu"]
        taxes = self._demo_product_taxes(company, goods)
        team_of = {str(u.id): u.sale_team_id.id or None for u in users["users"].values()}

        # Orders: the cut points split lines 1..N; the first ranks get most orders.
        cr.execute(SQL(
            """CREATE TEMP TABLE crm_bulk_order ON COMMIT DROP AS
               WITH cuts AS (
                   SELECT k FROM generate_series(1, %(lines)s - 1) k
                    ORDER BY random() LIMIT %(orders)s - 1
               ), bounds AS (
                   SELECT k AS last_line, row_number() OVER (ORDER BY k) AS seq
                     FROM (SELECT k FROM cuts UNION ALL SELECT %(lines)s) s
               )
               SELECT seq::int AS seq,
                      COALESCE(lag(last_line) OVER (ORDER BY seq), 0)::int AS first_line,
                      last_line::int AS last_line,
                      CASE WHEN random() < 0.6
                           THEN 1 + floor(%(core)s * power(random(), 1.5))
                           ELSE 1 + floor(%(customers)s * random())
                      END::int AS rank,
                      random() AS r_date,
                      random() AS r_time
                 FROM bounds""",
            lines=order_lines, orders=order_count, customers=customers,
            core=max(1, customers // 25),
        ))
        # Activity window per customer: 14% stopped buying over a year ago, 10%
        # a few months ago, 4% started less than three months ago; the others
        # have bought for one to three and a quarter years.
        cr.execute(SQL(
            """CREATE TEMP TABLE crm_demo_order ON COMMIT DROP AS
               SELECT nextval('sale_order_id_seq')::int AS id,
                      p.id AS partner_id, p.id AS invoice_partner_id, rp.user_id,
                      (%(teams)s::jsonb ->> rp.user_id::text)::int AS team_id,
                      NULL::int AS payment_term_id, NULL::varchar AS client_order_ref,
                      date_trunc('day', %(now)s::timestamp)
                          - interval '1 day' * (w.last_day + o.r_date * (w.first_day - w.last_day))
                          + interval '1 second' * (3600 + o.r_time * 32400) AS date_order,
                      o.first_line, o.last_line,
                      1.0 + 40.0 / (1 + p.rank / 50.0) AS size
                 FROM crm_bulk_order o
                 JOIN crm_bulk_partner p ON p.rank = o.rank
                 JOIN res_partner rp ON rp.id = p.id
                CROSS JOIN LATERAL (
                     SELECT CASE WHEN p.churn < 0.14 THEN 380 + p.start * 500
                                 WHEN p.churn < 0.24 THEN 100 + p.start * 220
                                 ELSE p.start * 20 END AS last_day,
                            CASE WHEN p.churn > 0.96 THEN 30 + p.start * 55
                                 WHEN p.churn < 0.14 THEN 900 + p.since * 280
                                 ELSE 400 + p.since * 780 END AS first_day
                ) w
                ORDER BY o.seq""",
            teams=json.dumps(team_of),
            now=self._demo_now(self.env.context.get("crm_demo_now")),
        ))
        _logger.info("bulk: %s orders placed", order_count)
        cr.execute(SQL(
            """CREATE TEMP TABLE crm_demo_line ON COMMIT DROP AS
               SELECT nextval('sale_order_line_id_seq')::int AS id,
                      o.id AS order_id, (k - o.first_line)::int AS position,
                      pr.product_id, pr.uom_id, pr.name,
                      (1 + floor(random() * 20 * o.size))::numeric AS qty,
                      pr.price, pr.tax_id, pr.tax_rate, 'stock_move'::varchar AS delivered_method
                 FROM crm_demo_order o
                CROSS JOIN LATERAL generate_series(o.first_line + 1, o.last_line) k
                CROSS JOIN LATERAL (
                     SELECT (%(products)s::int[])[i] AS product_id,
                            (%(uoms)s::int[])[i] AS uom_id,
                            (%(names)s::varchar[])[i] AS name,
                            (%(prices)s::numeric[])[i] AS price,
                            (%(tax_ids)s::int[])[i] AS tax_id,
                            (%(tax_rates)s::numeric[])[i] AS tax_rate
                       FROM (SELECT 1 + floor(random() * %(n)s)::int + 0 * k AS i) x
                ) pr""",
            products=[p.id for p in goods], uoms=[p.uom_id.id for p in goods],
            names=[p.display_name for p in goods], prices=[p.list_price for p in goods],
            tax_ids=[taxes[p][0] for p in goods], tax_rates=[taxes[p][1] for p in goods],
            n=len(goods),
        ))
        _logger.info("bulk: %s order lines drawn, inserting", order_lines)
        order_rows, line_rows = self._sql_insert_orders(company, closed=False)
        _logger.info("bulk: %s orders and %s lines inserted", order_rows, line_rows)
        cr.execute(SQL("DROP TABLE crm_demo_line, crm_demo_order, crm_bulk_order"))

        # Prospects: a sent quotation (one to three lines) for 2% of the
        # customers who never ordered: potential customers.
        cr.execute(SQL(
            """CREATE TEMP TABLE crm_demo_order ON COMMIT DROP AS
               SELECT nextval('sale_order_id_seq')::int AS id, rp.id AS partner_id,
                      rp.id AS invoice_partner_id, rp.user_id,
                      (%(teams)s::jsonb ->> rp.user_id::text)::int AS team_id,
                      NULL::int AS payment_term_id, NULL::varchar AS client_order_ref,
                      date_trunc('day', %(now)s::timestamp)
                          - interval '1 day' * floor(random() * 60) + interval '10 hours'
                          AS date_order,
                      1 + floor(random() * 3)::int AS line_count
                 FROM crm_bulk_partner p
                 JOIN res_partner rp ON rp.id = p.id
                WHERE p.start < 0.02
                  AND NOT EXISTS (SELECT 1 FROM sale_order so WHERE so.partner_id = p.id)""",
            teams=json.dumps(team_of),
            now=self._demo_now(self.env.context.get("crm_demo_now")),
        ))
        cr.execute(SQL(
            """CREATE TEMP TABLE crm_demo_line ON COMMIT DROP AS
               SELECT nextval('sale_order_line_id_seq')::int AS id,
                      o.id AS order_id, k AS position, pr.product_id, pr.uom_id, pr.name,
                      (1 + floor(random() * 50))::numeric AS qty, pr.price, pr.tax_id,
                      pr.tax_rate, 'stock_move'::varchar AS delivered_method
                 FROM crm_demo_order o
                CROSS JOIN LATERAL generate_series(1, o.line_count) k
                CROSS JOIN LATERAL (
                     SELECT (%(products)s::int[])[i] AS product_id,
                            (%(uoms)s::int[])[i] AS uom_id,
                            (%(names)s::varchar[])[i] AS name,
                            (%(prices)s::numeric[])[i] AS price,
                            (%(tax_ids)s::int[])[i] AS tax_id,
                            (%(tax_rates)s::numeric[])[i] AS tax_rate
                       FROM (SELECT 1 + floor(random() * %(n)s)::int + 0 * k AS i) x
                ) pr""",
            products=[p.id for p in goods], uoms=[p.uom_id.id for p in goods],
            names=[p.display_name for p in goods], prices=[p.list_price for p in goods],
            tax_ids=[taxes[p][0] for p in goods], tax_rates=[taxes[p][1] for p in goods],
            n=len(goods),
        ))
        quotations, _quotation_lines = self._sql_insert_orders(company, closed=False, state="sent")
        cr.execute(SQL("DROP TABLE crm_demo_line, crm_demo_order"))
        return order_rows, line_rows, quotations
