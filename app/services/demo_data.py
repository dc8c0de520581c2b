"""The demo manufacturing network as plain data (read by app.services.demo).

A European/Asian discrete manufacturer: mills, component makers, contract
manufacturers, 3PLs, port and customs brokers and SaaS vendors. Connection
templates are per supplier profile; `{host}` in an endpoint is the supplier's
domain. Dates are offsets in days from the day the demo is seeded, so the
attention flags (expiring credentials, stale reviews) show on any day.
"""

from __future__ import annotations

DEMO_PASSWORD = "chainlight-demo"  # noqa: S105 - printed for the demo, documented in README
ORG_DOMAIN = "demo-manufacturing.example"

# (email, role, display name, supplier code for supplier contacts)
STAFF_USERS = [
    ("admin@demo.chainlight", "admin", "Ada Admin", None),
    ("analyst@demo.chainlight", "analyst", "Ana Analyst", None),
    ("analyst2@demo.chainlight", "analyst", "Minh Trần", None),
    ("exec@demo.chainlight", "executive", "Eli Executive", None),
]
CONTACT_USERS = [
    ("contact@thepviet.vn", "supplier", "Nguyễn Thị Lan", "V100101"),
    ("contact@mueller-praezision.de", "supplier", "Jürgen Müller", "V100111"),
    ("contact@istanbul-lojistik.com.tr", "supplier", "Ayşe Yılmaz", "V100123"),
]
OWNERS = {"ana": "analyst@demo.chainlight", "minh": "analyst2@demo.chainlight"}

# One row per supplier: code, legal name, country, category, criticality, single
# source, status, owner, domain, profile (connection templates), connection count,
# days to the next reassessment (None: not planned), notes.
# fmt: off
SUPPLIERS: list[tuple] = [
    # Raw material mills
    ("V100101", "Công ty TNHH Thép Việt", "VN", "raw_material", "critical", True, "active",
       "minh", "thepviet.vn", "mill", 3, 45, "Sole source of cold-rolled coil for the Hanoi line."),
    ("V100102", "Ruhrstahl Walzwerke AG", "DE", "raw_material", "high", False, "active",
       "ana", "ruhrstahl.de", "mill", 3, 120, ""),
    ("V100103", "Zakłady Metalowe Śląsk Sp. z o.o.", "PL", "raw_material", "medium", False,
       "active", "ana", "zm-slask.pl", "mill", 2, 200, ""),
    ("V100104", "Anadolu Alüminyum Sanayi A.Ş.", "TR", "raw_material", "medium", False, "active",
       "minh", "anadolu-aluminyum.com.tr", "mill", 3, 160, ""),
    ("V100105", "江苏华东特钢有限公司", "CN", "raw_material", "high", False, "active",
       "minh", "hd-specialsteel.cn", "mill", 2, 90, "Special steel bar for shafts."),
    ("V100106", "Acciaierie Lombarde S.p.A.", "IT", "raw_material", "medium", False, "active",
       "ana", "acciaierie-lombarde.it", "mill", 2, 240, ""),
    ("V100107", "Bharat Polymers Pvt. Ltd.", "IN", "raw_material", "low", False, "active",
       "minh", "bharatpolymers.in", "mill", 2, 300, "Engineering resins (PA66, POM)."),
    # Electronics and mechanical components
    ("V100108", "深圳精密电子有限公司", "CN", "component", "critical", True, "active",
       "minh", "szjm-elec.cn", "component", 4, 30, "Sole source of the motor-controller PCBA."),
    ("V100109", "株式会社大和精機", "JP", "component", "high", False, "active",
       "ana", "yamato-seiki.co.jp", "component", 3, 150, ""),
    ("V100110", "한빛반도체 주식회사", "KR", "component", "high", False, "active",
       "minh", "hanbit-semi.co.kr", "component", 3, 110, "Power MOSFETs and gate drivers."),
    ("V100111", "Müller Präzisionsteile GmbH", "DE", "component", "critical", True, "active",
       "ana", "mueller-praezision.de", "component", 4, 60, "Turned precision parts; PPAP level 3."),
    ("V100112", "Přesné součásti Brno s.r.o.", "CZ", "component", "medium", False, "active",
       "ana", "presne-soucasti.cz", "component", 4, 210, ""),
    ("V100113", "Componentes Eléctricos del Bajío S.A. de C.V.", "MX", "component", "medium",
       False, "active", "minh", "ce-bajio.mx", "component", 3, 180, ""),
    ("V100114", "Sensortec Eindhoven B.V.", "NL", "component", "medium", False, "onboarding",
       "ana", "sensortec.nl", "component", 2, None, "Onboarding: second source for sensors."),
    ("V100115", "Connecteurs Électriques de Lyon SAS", "FR", "component", "low", False,
       "active", "ana", "connecteurs-lyon.fr", "component", 2, 330, ""),
    ("V100116", "Pune Castings Pvt. Ltd.", "IN", "component", "medium", False, "active",
       "minh", "punecastings.in", "component", 3, 140, ""),
    ("V100117", "Công ty Cổ phần Linh kiện Điện tử Sài Gòn", "VN", "component", "high", False,
       "active", "minh", "linhkiensaigon.vn", "component", 4, 75, ""),
    # Contract manufacturers
    ("V100118", "Công ty TNHH Sản xuất Chính xác Đồng Nai", "VN", "contract_manufacturer",
       "critical", True, "active", "minh", "dongnai-precision.vn", "contract", 4, 40,
       "Builds the compact drive unit end to end."),
    ("V100119", "Precision Assembly de México S. de R.L. de C.V.", "MX", "contract_manufacturer",
       "high", False, "active", "ana", "pa-mexico.mx", "contract", 4, 100, ""),
    ("V100120", "苏州工业园区协同制造有限公司", "CN", "contract_manufacturer", "high", False,
       "active", "minh", "sip-coman.cn", "contract", 3, 95, ""),
    ("V100121", "Kraków Electronics Manufacturing Sp. z o.o.", "PL", "contract_manufacturer",
       "medium", False, "onboarding", "ana", "krakow-ems.pl", "contract", 3, None,
       "Onboarding: pilot lot planned next quarter."),
    ("V100122", "Midwest Contract Machining LLC", "US", "contract_manufacturer", "medium", False,
       "active", "ana", "midwest-machining.com", "contract", 3, 260, ""),
    # Logistics / 3PL / freight forwarders
    ("V100123", "İstanbul Lojistik A.Ş.", "TR", "logistics", "high", False, "active",
       "minh", "istanbul-lojistik.com.tr", "3pl", 4, 80, "Runs the Gebze cross-dock."),
    ("V100124", "Rhein-Main Logistik GmbH", "DE", "logistics", "critical", True, "active",
       "ana", "rhein-main-logistik.de", "3pl", 4, 35, "Operates our central EU warehouse."),
    ("V100125", "Công ty Cổ phần Giao nhận Vận tải Sài Gòn", "VN", "logistics", "high", False,
       "active", "minh", "saigonfreight.vn", "3pl", 4, 120, ""),
    ("V100126", "Hollandia Warehousing B.V.", "NL", "logistics", "high", False, "active",
       "ana", "hollandia-warehousing.nl", "3pl", 4, 130, ""),
    ("V100127", "Trans-Europa Spedition s.r.o.", "CZ", "logistics", "medium", False, "suspended",
       "ana", "transeuropa-spedition.cz", "3pl", 3, 20, "Suspended after a phishing incident."),
    ("V100128", "Keystone Freight Forwarding Inc.", "US", "logistics", "medium", False, "active",
       "ana", "keystone-freight.com", "3pl", 3, 220, ""),
    ("V100129", "Baltic Cargo Forwarding UAB", "LT", "logistics", "low", False, "offboarded",
       "ana", "balticcargo.lt", "3pl", 2, None, "Replaced by Hollandia; kept for history."),
    # Port and customs brokers
    ("V100130", "Hafen Hamburg Zollagentur GmbH", "DE", "port_customs", "high", False, "active",
       "ana", "hh-zollagentur.de", "broker", 3, 150, "Customs broker used by our 3PLs."),
    ("V100131", "Rotterdam Customs Services B.V.", "NL", "port_customs", "medium", False,
       "active", "ana", "rotterdam-customs.nl", "broker", 3, 190, ""),
    ("V100132", "Công ty TNHH Dịch vụ Cảng Hải Phòng", "VN", "port_customs", "medium", False,
       "active", "minh", "cang-haiphong.vn", "broker", 3, 170, ""),
    ("V100133", "Mersin Gümrük Müşavirliği Ltd. Şti.", "TR", "port_customs", "medium", False,
       "active", "minh", "mersin-gumruk.com.tr", "broker", 3, 200, ""),
    # Software / SaaS
    ("V100134", "EuroEDI Network GmbH", "DE", "software", "critical", False, "active",
       "ana", "euroedi.net", "edi_van", 3, 50, "EDI VAN for most mills and 3PLs."),
    ("V100135", "RouteWise Technologies Ltd.", "IE", "software", "high", False, "active",
       "ana", "routewise.io", "tms_saas", 3, 115, "TMS SaaS."),
    ("V100136", "FacturaDigital e-Invoicing S.L.", "ES", "software", "high", False, "active",
       "minh", "facturadigital.es", "einvoicing", 3, 135, "E-invoicing (XRechnung, FatturaPA)."),
    ("V100137", "Fabrica MES Solutions S.r.l.", "IT", "software", "critical", True, "active",
       "ana", "fabrica-mes.it", "mes_vendor", 3, 25, "MES vendor; remote support into the plants."),
    ("V100138", "CloudHarbor Hosting GmbH", "DE", "software", "high", False, "active",
       "ana", "cloudharbor.de", "cloud", 2, 160, "Hosts several of our SaaS vendors."),
    ("V100139", "PLM Connect Inc.", "US", "software", "medium", False, "active",
       "minh", "plmconnect.com", "plm_saas", 2, 230, ""),
    # Services
    ("V100140", "Indus Quality Inspection Services Pvt. Ltd.", "IN", "services", "low", False,
       "active", "minh", "indus-qis.in", "services", 2, 340, ""),
]
ARCHIVED = {"V100129"}

# 4th parties: supplier code -> its sub-suppliers. Shared ones (the customs broker,
# the EDI VAN, the cloud host) make concentration visible.
SUB_SUPPLIERS: dict[str, list[str]] = {
    "V100101": ["V100134", "V100132"],
    "V100102": ["V100134"],
    "V100103": ["V100134"],
    "V100104": ["V100133"],
    "V100106": ["V100134"],
    "V100111": ["V100134", "V100138"],
    "V100118": ["V100108", "V100117"],
    "V100119": ["V100113"],
    "V100120": ["V100108", "V100110"],
    "V100123": ["V100130", "V100133", "V100134"],
    "V100124": ["V100130", "V100134", "V100135"],
    "V100125": ["V100131", "V100132"],
    "V100126": ["V100130", "V100131", "V100134"],
    "V100128": ["V100130", "V100135"],
    "V100134": ["V100138"],
    "V100135": ["V100138"],
    "V100136": ["V100138"],
    "V100137": ["V100138"],
    "V100139": ["V100138"],
}

# Connection templates by profile: name, kind, direction, internal system, data
# classes, authentication, encryption, integration layer, access level, endpoint.
PROFILES: dict[str, list[tuple]] = {
    "mill": [
        ("EDI VAN orders (ORDERS/ORDRSP)", "edi_van", "bidirectional", "erp", ["orders"],
           "certificate", "tls12", "edi_translator", "write", "van://euroedi.net/mbx/{host}"),
        ("EDI VAN forecasts (DELFOR)", "edi_van", "outbound", "erp", ["forecasts"],
           "certificate", "tls12", "edi_translator", "read", "van://euroedi.net/mbx/{host}"),
        ("Mill test certificates by e-mail", "email", "inbound", "erp", ["public"], "none",
           "tls12", "ipaas", "read", "mailto:qa@{host}"),
    ],
    "component": [
        ("EDI AS2 orders and ASN", "edi_as2", "bidirectional", "erp", ["orders", "forecasts"],
           "certificate", "as2_smime", "edi_translator", "write", "as2://edi.{host}"),
        ("Drawing exchange SFTP", "sftp", "outbound", "plm", ["design_ip"], "certificate",
           "ssh", "ipaas", "read", "sftp://files.{host}:22"),
        ("Price catalogue API", "rest_api", "inbound", "erp", ["pricing"], "api_key", "tls12",
           "api_gateway", "read", "https://api.{host}/v1/catalogue"),
        ("Quality reports portal", "supplier_portal", "inbound", "mes", ["public"], "password",
           "tls13", "api_gateway", "write", f"https://suppliers.{ORG_DOMAIN}/quality"),
    ],
    "contract": [
        ("PLM design package SFTP", "sftp", "outbound", "plm", ["design_ip"], "certificate",
           "ssh", "ipaas", "read", "sftp://files.{host}:22"),
        ("VPN site-to-site to MES", "vpn_site_to_site", "bidirectional", "mes",
           ["ot_commands", "orders"], "certificate", "ipsec", "ipaas", "write",
           "ipsec://vpn.{host}"),
        ("Production orders EDI AS2", "edi_as2", "bidirectional", "erp", ["orders", "forecasts"],
           "certificate", "as2_smime", "edi_translator", "write", "as2://edi.{host}"),
        ("Build records portal", "supplier_portal", "inbound", "mes", ["public", "design_ip"],
           "password", "tls13", "api_gateway", "write", f"https://suppliers.{ORG_DOMAIN}/builds"),
    ],
    "3pl": [
        ("EDI AS2 ASN and orders to WMS", "edi_as2", "bidirectional", "wms", ["orders"],
           "certificate", "as2_smime", "edi_translator", "write", "as2://edi.{host}"),
        ("Stock reports SFTP", "sftp", "inbound", "wms", ["orders"], "certificate", "ssh",
           "ipaas", "write", "sftp://sftp.{host}:22"),
        ("TMS shipment API", "rest_api", "bidirectional", "tms", ["orders", "pii"],
           "oauth2_client_credentials", "tls13", "api_gateway", "write",
           "https://api.{host}/tms/v2"),
        ("Carrier booking e-mail", "email", "outbound", "tms", ["orders", "pii"], "none",
           "tls12", "ipaas", "read", "mailto:booking@{host}"),
    ],
    "broker": [
        ("Customs declarations e-mail", "email", "bidirectional", "erp",
           ["orders", "pricing", "pii"], "none", "tls12", "ipaas", "read", "mailto:zoll@{host}"),
        ("Broker web portal", "supplier_portal", "outbound", "finance", ["pricing"], "password",
           "tls13", "api_gateway", "read", "https://portal.{host}"),
        ("Customs status API", "rest_api", "inbound", "tms", ["orders"], "api_key", "tls12",
           "api_gateway", "read", "https://api.{host}/status"),
    ],
    "edi_van": [
        ("VAN mailbox (AS2 to EDI translator)", "edi_as2", "bidirectional", "erp",
           ["orders", "forecasts", "pricing"], "certificate", "as2_smime", "edi_translator",
           "write", "as2://as2.{host}"),
        ("VAN message tracking API", "rest_api", "inbound", "erp", ["orders"],
           "oauth2_client_credentials", "tls13", "api_gateway", "read", "https://api.{host}/v2"),
        ("VAN partner onboarding portal", "supplier_portal", "outbound", "erp", ["public"],
           "password", "tls13", "api_gateway", "read", "https://portal.{host}"),
    ],
    "tms_saas": [
        ("TMS REST API", "rest_api", "bidirectional", "tms", ["orders", "pii"],
           "oauth2_client_credentials", "tls13", "api_gateway", "write", "https://api.{host}/v3"),
        ("ERP shipment sync", "rest_api", "outbound", "erp", ["orders", "pricing"],
           "oauth2_client_credentials", "tls13", "ipaas", "read", "https://sync.{host}/erp"),
        ("Carrier rate upload SFTP", "sftp", "inbound", "tms", ["pricing"], "certificate",
           "ssh", "ipaas", "write", "sftp://sftp.{host}:22"),
    ],
    "einvoicing": [
        ("E-invoice submission API", "rest_api", "outbound", "finance", ["pricing", "pii"],
           "oauth2_client_credentials", "tls13", "api_gateway", "read", "https://api.{host}/v1"),
        ("Inbound supplier invoices", "rest_api", "inbound", "finance", ["pricing"],
           "oauth2_client_credentials", "tls13", "direct_core", "write",
           "https://api.{host}/v1/inbox"),
        ("Archive export SFTP", "sftp", "outbound", "finance", ["pricing", "pii"],
           "certificate", "ssh", "ipaas", "read", "sftp://archive.{host}:22"),
    ],
    "mes_vendor": [
        ("Vendor remote access to MES servers", "vendor_remote_access", "inbound", "mes",
           ["credentials", "ot_commands"], "password", "tls12", "direct_core", "admin",
           "https://remote.{host}"),
        ("MES licence and telemetry API", "rest_api", "outbound", "mes", ["public"], "api_key",
           "tls13", "api_gateway", "read", "https://telemetry.{host}/v1"),
        ("MES patch downloads SFTP", "sftp", "inbound", "mes", ["public"], "password", "ssh",
           "ipaas", "read", "sftp://patches.{host}:22"),
    ],
    "cloud": [
        ("Hosted integration tenant", "rest_api", "bidirectional", "erp",
           ["orders", "pricing", "pii"], "oauth2_client_credentials", "tls13", "ipaas", "write",
           "https://tenant.{host}"),
        ("Backup replication VPN", "vpn_site_to_site", "outbound", "finance", ["pii", "pricing"],
           "certificate", "ipsec", "direct_core", "read", "ipsec://vpn.{host}"),
    ],
    "plm_saas": [
        ("PLM cloud sync API", "rest_api", "bidirectional", "plm", ["design_ip"],
           "oauth2_client_credentials", "tls13", "api_gateway", "write", "https://api.{host}/v2"),
        ("Supplier collaboration space", "supplier_portal", "outbound", "plm", ["design_ip"],
           "password", "tls13", "api_gateway", "read", "https://collab.{host}"),
    ],
    "services": [
        ("Inspection reports portal", "supplier_portal", "inbound", "mes", ["public"],
           "password", "tls13", "api_gateway", "write", f"https://suppliers.{ORG_DOMAIN}/qa"),
        ("Inspection booking e-mail", "email", "bidirectional", "erp", ["orders", "pii"], "none",
           "tls12", "ipaas", "read", "mailto:booking@{host}"),
    ],
}
PROFILE_BY_CATEGORY = {
    "raw_material": "mill",
    "component": "component",
    "contract_manufacturer": "contract",
    "logistics": "3pl",
    "port_customs": "broker",
    "software": "tms_saas",
    "services": "services",
}

# Per-connection changes that make the attention flags show something. Keys:
# (supplier code, connection name). Day offsets are relative to the seeding day;
# "reviewed": None means never reviewed.
OVERRIDES: dict[tuple[str, str], dict] = {
    ("V100101", "EDI VAN orders (ORDERS/ORDRSP)"): {"expires": 12},
    ("V100123", "EDI AS2 ASN and orders to WMS"): {"expires": 21},
    ("V100135", "TMS REST API"): {"expires": 5},
    ("V100133", "Broker web portal"): {"expires": -9},
    ("V100132", "Customs declarations e-mail"): {
        "encryption": "none",
        "notes": "Gate-in notices arrive over plain SMTP; the port refuses STARTTLS.",
    },
    ("V100104", "Mill test certificates by e-mail"): {
        "kind": "rest_api",
        "name": "Price list HTTP feed",
        "data_classes": ["pricing"],
        "authentication": "api_key",
        "encryption": "none",
        "endpoint": "http://prices.{host}/feed.xml",
        "notes": "Plain HTTP; the mill promised TLS by next quarter.",
    },
    ("V100124", "Stock reports SFTP"): {
        "integration_layer": "direct_core",
        "name": "Goods receipt posting into ERP",
        "kind": "rest_api",
        "authentication": "oauth2_client_credentials",
        "encryption": "tls12",
        "endpoint": "https://erp-gw.rhein-main-logistik.de/goodsreceipt",
    },
    ("V100118", "VPN site-to-site to MES"): {"integration_layer": "direct_core"},
    ("V100137", "Vendor remote access to MES servers"): {
        "reviewed": 430,
        "notes": "Shared support account with a password; MFA requested.",
    },
    ("V100121", "PLM design package SFTP"): {"reviewed": None, "status": "planned"},
    ("V100121", "VPN site-to-site to MES"): {"reviewed": None, "status": "planned"},
    ("V100121", "Production orders EDI AS2"): {"reviewed": None, "status": "planned"},
    ("V100114", "EDI AS2 orders and ASN"): {"reviewed": None, "status": "planned"},
    ("V100114", "Drawing exchange SFTP"): {"reviewed": None},
    ("V100116", "Price catalogue API"): {"reviewed": 510},
    ("V100122", "Production orders EDI AS2"): {"reviewed": 400},
    ("V100140", "Inspection booking e-mail"): {"reviewed": None},
    ("V100127", "EDI AS2 ASN and orders to WMS"): {"status": "suspended"},
    ("V100127", "TMS shipment API"): {"status": "suspended"},
    ("V100107", "EDI VAN forecasts (DELFOR)"): {"status": "retired"},
}

# Name parts for generated suppliers beyond the curated ones, by country:
# (pattern, cities, words, top-level domain). {city} and {word} fill the pattern.
NAME_POOLS: dict[str, tuple[str, list[str], list[str], str]] = {
    "DE": ("{word} {city} GmbH", ["Stuttgart", "Chemnitz", "Bielefeld", "Augsburg", "Kassel"],
           ["Stanztechnik", "Feinguss", "Kunststofftechnik", "Antriebstechnik", "Oberflächen"],
           "de"),
    "VN": ("Công ty TNHH {word} {city}", ["Bình Dương", "Hải Dương", "Đà Nẵng", "Bắc Ninh"],
           ["Cơ khí", "Nhựa Kỹ thuật", "Điện tử", "Bao bì", "Đúc Kim loại"], "vn"),
    "CN": ("{city}{word}有限公司", ["宁波", "东莞", "无锡", "佛山", "青岛"],
           ["精工机械", "电子元件", "模具", "塑胶制品", "五金"], "cn"),
    "TR": ("{city} {word} San. ve Tic. A.Ş.", ["Bursa", "Kocaeli", "İzmir", "Kayseri"],
           ["Döküm", "Metal", "Plastik", "Kalıp"], "com.tr"),
    "PL": ("{word} {city} Sp. z o.o.", ["Wrocław", "Łódź", "Poznań", "Bielsko-Biała"],
           ["Obróbka Metali", "Tworzywa", "Elektronika", "Odlewnia"], "pl"),
    "CZ": ("{word} {city} s.r.o.", ["Plzeň", "Ostrava", "Hradec Králové", "Zlín"],
           ["Strojírna", "Slévárna", "Elektro", "Lisovna"], "cz"),
    "IT": ("{word} {city} S.r.l.", ["Brescia", "Bergamo", "Modena", "Vicenza"],
           ["Meccanica", "Fonderia", "Stampi", "Elettronica"], "it"),
    "JP": ("株式会社{city}{word}", ["浜松", "豊田", "名古屋", "大阪"],
           ["精機", "電子", "工業", "金型"], "co.jp"),
    "KR": ("{city}{word} 주식회사", ["창원", "울산", "인천", "수원"],
           ["정밀", "전자", "기계", "소재"], "co.kr"),
    "IN": ("{city} {word} Pvt. Ltd.", ["Chennai", "Pune", "Coimbatore", "Ahmedabad"],
           ["Forgings", "Electricals", "Plastics", "Engineering"], "in"),
    "MX": ("{word} de {city} S.A. de C.V.", ["Querétaro", "Monterrey", "Saltillo", "León"],
           ["Maquinados", "Plásticos", "Arneses", "Fundición"], "mx"),
    "US": ("{city} {word} Inc.", ["Dayton", "Toledo", "Grand Rapids", "Rockford"],
           ["Fastener", "Precision", "Molding", "Controls"], "com"),
    "NL": ("{word} {city} B.V.", ["Venlo", "Tilburg", "Breda", "Enschede"],
           ["Metaalbewerking", "Logistiek", "Kunststoffen", "Elektrotechniek"], "nl"),
    "FR": ("{word} de {city} SAS", ["Lyon", "Grenoble", "Besançon", "Nantes"],
           ["Décolletage", "Fonderie", "Plasturgie", "Électronique"], "fr"),
}
# fmt: on
GENERATED_CATEGORIES = [
    ("component", 40),
    ("raw_material", 15),
    ("contract_manufacturer", 10),
    ("logistics", 15),
    ("port_customs", 5),
    ("software", 10),
    ("services", 5),
]
# Shared 4th parties generated suppliers may lean on (by code), per category.
GENERATED_SUBS = {
    "raw_material": ["V100134"],
    "component": ["V100134", "V100138"],
    "contract_manufacturer": ["V100108", "V100134"],
    "logistics": ["V100130", "V100131", "V100134"],
    "port_customs": ["V100138"],
    "software": ["V100138"],
    "services": [],
}

# -- questionnaires ---------------------------------------------------------------------
# (read by app.services.demo_assessments)

# Contacts who get their account by accepting an invitation link during the demo (so
# the audit trail shows that path too); the link sets the demo password.
INVITED_CONTACTS = [
    ("it-security@rhein-main-logistik.de", "supplier", "Katrin Becker", "V100124"),
]

# Certificates: supplier code, standard, certificate number, certification body, scope,
# valid from / valid until (days from the seeding day), whether a PDF copy is stored.
# fmt: off
CERTIFICATIONS: list[tuple] = [
    ("V100101", "iso27001", "VN-ISMS-2291", "Bureau Veritas Certification Việt Nam",
       "Information security for order processing, EDI and production planning, Hanoi plant.",
       -520, 575, True),
    ("V100111", "iso28000", "DE-28000-0417", "TÜV SÜD Management Service GmbH",
       "Security management of storage and dispatch of turned precision parts, Stuttgart.",
       -400, 690, True),
    ("V100111", "iso27001", "DE-27001-1183", "DQS GmbH",
       "Design data exchange, ERP and production IT, Stuttgart-Feuerbach.", -210, 880, False),
    ("V100123", "iso28000", "TR-SCS-0088", "TÜV Rheinland Türkiye",
       "Warehousing and cross-docking at Gebze; road transport to EU hubs.", -1070, 25, True),
    ("V100126", "iso28000", "NL-28K-3310", "DNV Business Assurance B.V.",
       "Bonded warehousing and value-added logistics, Venlo.", -1125, -30, False),
    ("V100124", "iso27001", "DE-ISMS-7752", "TÜV Rheinland Cert GmbH",
       "IT operations of the central EU warehouse, Frankfurt am Main.", -300, 795, True),
    ("V100134", "iso27001", "DE-27001-EDI-042", "BSI Group Deutschland GmbH",
       "EDI VAN operations, AS2 gateway and partner onboarding.", -95, 1000, False),
]

# Assessments, one scenario a row: supplier code, template key, connection name (for a
# connection questionnaire), where it ends up, invitee (None: the supplier's contact
# address), answer quality (share of best answers), due in days, message. "approved"
# also starts round 2 (ROUND_TWO); "overdue" is sent OVERDUE_SENT_DAYS ago.
ASSESSMENTS: list[tuple] = [
    ("V100101", "cscrm-core", None, "approved", "contact@thepviet.vn", 0.8, 30,
       "Annual C-SCRM review for our sole source of cold-rolled coil."),
    ("V100111", "iso28000", None, "submitted", "contact@mueller-praezision.de", 0.85, 30,
       "Please confirm your ISO 28000 status and the clause checklist."),
    ("V100111", "connection-security", "Price catalogue API", "under_review",
       "contact@mueller-praezision.de", 0.7, 30, "One questionnaire for the price catalogue API."),
    ("V100123", "cscrm-core", None, "changes_requested", "contact@istanbul-lojistik.com.tr",
       0.65, 21, "C-SCRM questionnaire for the Gebze cross-dock."),
    ("V100124", "connection-security", "Goods receipt posting into ERP", "submitted",
       "it-security@rhein-main-logistik.de", 0.75, 30,
       "This interface posts straight into our ERP core: please describe how it is protected."),
    ("V100124", "cscrm-core", None, "in_progress", "it-security@rhein-main-logistik.de", 0.75,
       40, "Yearly C-SCRM questionnaire for the central EU warehouse."),
    ("V100126", "iso28000", None, "sent", None, 0.8, 21,
       "Your ISO 28000 certificate has lapsed: please answer the clause checklist."),
    ("V100137", "cscrm-core", None, "overdue", None, 0.8, -7,
       "C-SCRM questionnaire: remote support into our plants is in scope."),
    ("V100127", "cscrm-core", None, "cancelled", None, 0.8, 30,
       "Yearly C-SCRM questionnaire."),
]
# fmt: on
OVERDUE_SENT_DAYS = 40

# Approved rounds of other suppliers, dated over the last months so the risk side tells a
# story: each approval is scored on its day, and the portfolio trend improves month by
# month. One row an approval: supplier code, template key, connection name (for a
# connection questionnaire), days ago it was approved (a supplier's questionnaires approved
# the same day are scored together, once). Each supplier answers with one of
# ANSWER_PROFILES (the share of best answers), drawn from the seed over PROFILE_MIX, so the
# bands spread whatever the seed. Tier 1 suppliers left out on purpose (the Đồng Nai
# contract manufacturer, the Polish EMS in onboarding, the customs brokers of Mersin and
# Hai Phong, the cloud host, Midwest Machining) stay unassessed and stand out.
# fmt: off
APPROVED_HISTORY: list[tuple] = [
    ("V100119", "cscrm-core", None, 150),
    ("V100119", "connection-security", "VPN site-to-site to MES", 150),
    ("V100108", "cscrm-core", None, 140),
    ("V100130", "cscrm-core", None, 131),
    ("V100102", "cscrm-core", None, 122),
    ("V100125", "cscrm-core", None, 112),
    ("V100109", "cscrm-core", None, 103),
    ("V100136", "cscrm-core", None, 95),
    ("V100136", "connection-security", "Inbound supplier invoices", 95),
    ("V100120", "cscrm-core", None, 84),
    ("V100120", "connection-security", "VPN site-to-site to MES", 84),
    ("V100110", "cscrm-core", None, 73),
    ("V100131", "cscrm-core", None, 62),
    ("V100104", "cscrm-core", None, 50),
    ("V100135", "cscrm-core", None, 38),
    ("V100117", "cscrm-core", None, 26),
    ("V100139", "cscrm-core", None, 14),
]
# fmt: on
ANSWER_PROFILES: dict[str, float] = {"strong": 0.93, "average": 0.72, "weak": 0.4}
PROFILE_MIX = ["strong"] * 5 + ["average"] * 5 + ["weak"] * 4  # one per supplier above
# How long before its approval a history round was sent, and submitted.
HISTORY_SENT_DAYS = 21
HISTORY_SUBMITTED_DAYS = 3
HISTORY_MESSAGES = {
    "cscrm-core": "Yearly C-SCRM questionnaire.",
    "connection-security": "Please describe how this connection is protected.",
}

# Who answers, in their own words: what text questions are filled with.
PERSONAS: dict[str, dict[str, str]] = {
    "V100101": {
        "lead": "Phạm Văn Hùng, Trưởng phòng CNTT (Head of IT and security)",
        "email": "security@thepviet.vn",
        "phone": "+84 24 3974 5120",
        "offshore": "None.",
        "improvement": "Moved EDI certificates to a hardware security module.",
    },
    "V100111": {
        "lead": "Jürgen Müller, Informationssicherheitsbeauftragter",
        "email": "security@mueller-praezision.de",
        "phone": "+49 711 4090 220",
        "offshore": "None.",
        "improvement": "High-security seals (ISO 17712) on every outbound trailer since March.",
        "gaps": "The new Chemnitz warehouse is not in scope yet; its certification audit is "
        "planned for next quarter.",
    },
    "V100123": {
        "lead": "Ayşe Yılmaz, Bilgi Güvenliği Müdürü (information security manager)",
        "email": "guvenlik@istanbul-lojistik.com.tr",
        "phone": "+90 262 751 40 00",
        "offshore": "Customs filings are prepared by our broker in Mersin; the WMS is hosted "
        "in Frankfurt (cloud, eu-central-1).",
        "improvement": "Gate-out seal check added at the Gebze cross-dock.",
    },
    "V100124": {
        "lead": "Katrin Becker, Leiterin IT-Sicherheit",
        "email": "it-security@rhein-main-logistik.de",
        "phone": "+49 69 2475 3300",
        "offshore": "None.",
        "improvement": "Separate network segment for the ERP interface servers.",
    },
}
# Text answers by question key; {lead}, {email}, {phone}, {offshore}, {improvement},
# {company} come from the persona.
TEXT_ANSWERS: dict[str, str] = {
    "gov_owner_role": "{lead}",
    "sup_offshore_list": "{offshore}",
    "inc_contact": "{lead}; {email}; 24/7 duty phone {phone}",
    "lead_manager": "{lead}",
    "iso_cert_gaps": "{gaps}",
    "imp_example": "{improvement}",
}
TEXT_FALLBACK = "Documented in our management system; details on request."
# Plausible ranges for number answers (clipped to the question's own limits).
NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "vul_patch_days": (7, 30),
    "acc_leavers_hours": (4, 48),
    "log_retention_days": (90, 400),
    "priv_people": (2, 8),
    "chg_notice_days": (5, 30),
    "sup_awareness_share": (82, 100),
    "perf_incidents": (0, 3),
}
# Date answers: days from the seeding day (negative: in the past).
DATE_RANGES: dict[str, tuple[int, int]] = {
    "cred_expires_on": (60, 400),
    "iso_cert_until": (200, 900),
}
PAST_DATES = (-330, -20)
# Evidence file titles by question key (otherwise "<section> evidence").
EVIDENCE_TITLES: dict[str, str] = {
    "gov_program": "C-SCRM strategy",
    "gov_policy": "Supplier security policy",
    "gov_plan": "Supply chain risk management plan",
    "gov_cert_file": "Certificates",
    "sup_inventory": "Supplier inventory extract",
    "sup_due_diligence": "Supplier onboarding security checklist",
    "sup_flowdown": "Flow-down clauses",
    "prov_records": "Chain of custody records",
    "prov_anticounterfeit": "Anti-counterfeit procedure",
    "prov_inspection": "Incoming inspection procedure",
    "dev_sdlc": "Secure development procedure",
    "dev_sbom_file": "SBOM summary",
    "vul_scanning": "Vulnerability scan summary",
    "inc_plan": "Incident response plan",
    "inc_contract": "Incident notification agreement",
    "acc_mfa": "MFA enforcement policy",
    "data_dpa": "Data processing agreement",
    "res_bcp": "Business continuity plan",
    "res_backups": "Restore test report",
    "per_training": "Security awareness training record",
    "disp_method": "Certificate of destruction",
    "disp_exit": "Exit and data return clause",
    "iso_certified": "ISO 28000 certificate",
    "ctx_issues": "Security context analysis",
    "ctx_legal": "Legal and regulatory register",
    "ctx_scope": "Security management system scope",
    "lead_policy": "Security policy",
    "plan_risk": "Security risk assessment",
    "sup_competence": "Competence matrix",
    "op_planning": "Operational security procedures",
    "op_plans": "Security incident plans",
    "perf_audit": "Internal audit report",
    "perf_review": "Management review minutes",
    "imp_corrective": "Corrective action log",
    "auth_mfa": "MFA policy",
    "log_review": "Alert rules",
    "priv_scope": "API scope configuration",
    "conn_diagram": "Connection diagram",
}
# Answers fixed per scenario (supplier code, template key), so the story holds together;
# "$cert_body" / "$cert_until" take the supplier's certificate for the standard asked
# about, "$cred_expires" the connection's credential expiry.
FIXED_ANSWERS: dict[tuple[str, str], dict[str, object]] = {
    ("V100101", "cscrm-core"): {
        "gov_policy": "yes",
        "gov_owner": "yes",
        "sup_reassess": "two_three_years",
        "sup_offshore": "no",
        "dev_applicable": "no",
        "vul_scanning": "yes",
        "vul_patch_days": 30,
        "acc_remote": "no",
        "res_bcp": "partial",
        "prov_sources": "authorised",
    },
    ("V100111", "iso28000"): {
        "iso_certified": "partial",
        "iso_cert_body": "$cert_body",
        "iso_cert_until": "$cert_until",
        "ctx_programmes": ["aeo"],
    },
    ("V100111", "connection-security"): {
        "auth_method": "api_key",
        "auth_mfa": "na",
        "tls_version": "tls12",
        "seg_erp": "gateway",
        "cred_rotation": "yearly",
        "cred_expires_on": "$cred_expires",
    },
    ("V100123", "cscrm-core"): {
        "gov_owner": "yes",
        "sup_offshore": "yes_known",
        "dev_applicable": "no",
        "acc_remote": "yes",
        "acc_mfa": "partial",
    },
    ("V100124", "connection-security"): {
        "auth_method": "oauth2",
        "auth_mfa": "na",
        "tls_version": "tls12",
        "seg_erp": "direct_restricted",
        "cred_expires_on": "$cred_expires",
    },
    ("V100124", "cscrm-core"): {"dev_applicable": "no", "acc_remote": "yes"},
    # The approved connection questionnaires of APPROVED_HISTORY: what the links really use.
    ("V100119", "connection-security"): {
        "auth_method": "certificate",
        "tls_version": "ipsec",
        "seg_erp": "gateway",
        "cred_expires_on": "$cred_expires",
    },
    ("V100120", "connection-security"): {
        "auth_method": "certificate",
        "tls_version": "ipsec",
        "seg_erp": "gateway",
        "cred_expires_on": "$cred_expires",
    },
    ("V100136", "connection-security"): {
        "auth_method": "oauth2",
        "auth_mfa": "na",
        "tls_version": "tls13",
        "seg_erp": "direct_restricted",
        "cred_expires_on": "$cred_expires",
    },
}
# Comments that go with answers: (supplier code, question key) -> comment.
COMMENTS: dict[tuple[str, str], str] = {
    ("V100101", "res_bcp"): "The plan covers the Hanoi line; the Hai Phong warehouse follows.",
    ("V100111", "iso_certified"): "Stuttgart is certified (attached); Chemnitz is not yet.",
    ("V100111", "auth_mfa"): "Machine-to-machine API: no person logs in on this connection.",
    ("V100123", "acc_mfa"): "MFA on the VPN; the old remote-support tool still uses passwords.",
    ("V100124", "auth_mfa"): "Machine-to-machine interface: no person logs in on it.",
    ("V100136", "auth_mfa"): "Machine-to-machine API: our platform posts invoices, no person.",
    ("V100136", "seg_erp"): "Posts into your finance core directly, restricted to the "
    "invoice inbox endpoint.",
    ("V100124", "seg_erp"): "Posts goods receipts straight into your ERP; one service user, "
    "restricted to the goods-receipt transaction.",
}
NA_COMMENT = "Does not apply to what we deliver to you."
# Reviews: accepted with a note, asked to clarify, and comment threads (analyst, contact).
REVIEW_NOTES: dict[tuple[str, str], dict[str, list[tuple[str, str]]]] = {
    ("V100101", "cscrm-core"): {
        "accept": [("gov_policy", "Policy v3.2 and its approval page checked against SR-1.")],
    },
    ("V100111", "connection-security"): {
        "accept": [
            ("auth_shared", ""),
            ("tls_version", ""),
            ("tls_verify", ""),
            ("cred_storage", ""),
        ],
        "clarify": [
            (
                "auth_method",
                "A static API key protects our price data: can you move to OAuth 2.0 client "
                "credentials or mutual TLS this year?",
            )
        ],
    },
    ("V100123", "cscrm-core"): {
        "accept": [("gov_program", ""), ("gov_policy", ""), ("gov_owner", "")],
        "clarify": [
            (
                "acc_mfa",
                "Which remote access paths still work without MFA? Please list them and the "
                "date MFA will be enforced.",
            ),
            (
                "sup_offshore_list",
                "Is the Frankfurt WMS tenant covered by the data processing agreement with "
                "us? Please attach it.",
            ),
        ],
        "thread": [
            (
                "acc_mfa",
                "For context: our policy requires MFA on all vendor remote access by the end "
                "of the quarter.",
                "Understood. The Gebze VPN gets MFA with the firewall upgrade in two weeks; the "
                "old remote-support accounts are being removed.",
            )
        ],
    },
}
# Round 2 of the approved scenario: what the contact changes in the carried-over answers
# (value, comment, evidence title or None). "$recent" is a date a few days ago.
ROUND_TWO: dict[str, object] = {
    "supplier": "V100101",
    "due": 45,
    "message": "Round 2: please confirm or update last year's answers.",
    "changes": [
        ("gov_policy_review", "$recent", "", None),
        ("sup_reassess", "yearly", "", None),
        ("vul_patch_days", 14, "New patch SLA since the ERP upgrade.", None),
        ("res_bcp", "yes", "Now covers the Hai Phong warehouse too.", "Business continuity plan"),
        ("inc_contact", "Phạm Văn Hùng; soc@thepviet.vn; 24/7 SOC +84 24 3974 5199", "", None),
    ],
}

# Risk history: how many days ago the demo network was first scored, and when the changes
# below were made. Each connection named here is first created with these earlier values
# and brought to its final ones (PROFILES + OVERRIDES) CHANGED_DAYS_AGO, so the supplier's
# risk history shows a move with its reasons; the approvals of APPROVED_HISTORY come on their
# own days, the other assessments today.
HISTORY_START_DAYS_AGO = 180
CHANGED_DAYS_AGO = 90
EARLIER_VALUES: dict[tuple[str, str], dict[str, object]] = {
    # TLS turned on for the mill's certificate mails (inherent likelihood goes down).
    ("V100101", "Mill test certificates by e-mail"): {"encryption": "none"},
    # The VPN was re-routed straight into the MES core during a plant migration (up).
    ("V100118", "VPN site-to-site to MES"): {"integration_layer": "ipaas"},
    # Goods receipts now post directly into the ERP core instead of via the iPaaS (up).
    ("V100124", "Goods receipt posting into ERP"): {"integration_layer": "ipaas"},
}

# -- findings -------------------------------------------------------------------------------
# (read by app.services.demo_findings)

# Findings worked through the remediation workflow, one a row: supplier code, control,
# severity, title, connection name (None: the whole supplier), opened (days from the seeding
# day, negative: in the past), description, then the steps in order. Where the supplier's
# approved assessment opened a finding for the control already, that one is used (renamed),
# not a second one. A step is (day, who, action, *args); who is "analyst" (the owner),
# "contact" (the supplier's demo contact; for a supplier without one the analyst records
# what the supplier sent, and the contact's comments are left out) or "executive":
#   comment    text
#   plan       plan text, target day, ((day, milestone), ...)
#   review     "accept" | "reject", note
#   milestone  position of the milestone in the plan (date order)
#   evidence   document title, note
#   move       new status, note
#   accept     expiry day, reason
#   expire     (the daily job that lapses acceptances, run on that day)
# fmt: off
FINDINGS: list[tuple] = [
    # Open, no plan yet: the supplier is still working out what to do.
    ("V100123", "IA-2", "high", "Shared administrator account on the Gebze WMS", None, -6,
     "The three shift leads at the Gebze cross-dock log into the warehouse management system "
     "with one administrator account, so nobody can tell who released or changed our orders.",
     [
         (-6, "analyst", "comment",
          "Ayşe, the questionnaire answers confirm the WMS administrator login is shared between "
          "the shifts. Please propose a plan with named accounts and MFA for them."),
         (-4, "contact", "comment",
          "Understood. Our WMS vendor can switch on named administrator accounts in the next "
          "release; I will send the plan once they confirm the date."),
     ]),
    # A plan proposed in the portal, waiting for the analyst's review.
    ("V100101", "GV.SC-07", "high", "Sub-tier suppliers (ore, coke, zinc) not risk-assessed",
     None, 0,
     "The mill buys iron ore, coking coal and zinc from eleven sub-suppliers and has never "
     "assessed their security or continuity; a disruption there stops our only source of "
     "cold-rolled coil.",
     [
         (0, "contact", "plan",
          "Our procurement team sends the C-SCRM questionnaire to the eleven sub-suppliers, "
          "scores the answers and visits the two riskiest sites; the resulting sub-tier risk "
          "register is shared with you and reviewed every year.",
          80, ((20, "Questionnaire sent to the ore, coke and zinc suppliers"),
               (50, "Answers scored; the two riskiest sites visited"),
               (80, "Sub-tier risk register shared with Chainlight"))),
         (0, "contact", "comment",
          "The plan above is signed off by our procurement director. The zinc supplier changed "
          "owners last year, so we start there."),
         (0, "analyst", "comment",
          "Thank you, Lan. I will go through the plan with our sourcing team this week."),
     ]),
    # In progress: plan accepted, first milestone done.
    ("V100111", "IA-5", "high", "Static API key on the price catalogue API",
     "Price catalogue API", -40,
     "Our price data is fetched with one static API key that has not been rotated since the "
     "interface went live; anyone holding it can read every price we pay Müller.",
     [
         (-40, "analyst", "comment",
          "Raised from the connection questionnaire: the price catalogue API still uses a "
          "static key. Please move it to OAuth 2.0 client credentials or mutual TLS."),
         (-36, "contact", "plan",
          "Register an OAuth 2.0 client in your identity provider, switch the price sync to "
          "client credentials in test and production, then revoke the static key.",
          45, ((-20, "OAuth 2.0 client registered in the customer's identity provider"),
               (10, "Price sync switched to client credentials in test"),
               (45, "Static API key revoked in production"))),
         (-34, "analyst", "review", "accept",
          "Accepted; revoking the key is the step that counts."),
         (-19, "contact", "milestone", 0),
         (-19, "contact", "comment",
          "The OAuth client is registered and our integration team has the credentials; test "
          "switch-over is booked for next sprint."),
     ]),
    # Resolved with evidence, waiting for the analyst to verify the fix.
    ("V100124", "SR-8", "high",
     "Incident response plan does not notify customers within 24 hours", None, -21,
     "Rhein-Main's incident response procedure has no step to tell customers about an incident "
     "affecting their goods or data; our contract asks for notice within 24 hours.",
     [
         (-19, "contact", "plan",
          "Add a customer notification step (24 hours, named contacts) to the incident response "
          "procedure and rehearse it with your SOC.",
          20, ((-10, "Procedure updated with the customer notification step"),
               (-3, "Tabletop exercise with Chainlight's security contact"))),
         (-18, "analyst", "review", "accept", "Accepted, thank you for the quick plan."),
         (-9, "contact", "milestone", 0),
         (-3, "contact", "milestone", 1),
         (-2, "contact", "evidence", "Incident response procedure v4 - customer notification",
          "Procedure v4, approved by our managing director; section 5.3 is the new step."),
         (-2, "contact", "move", "resolved",
          "Procedure v4 is in force and the tabletop exercise with your SOC went through the "
          "24-hour notice."),
         (-2, "contact", "comment",
          "Katrin here: the exercise minutes are in our ISMS if you want to see them."),
     ]),
    # Verified: the fix checked against its evidence; it lowers the supplier's residual risk.
    ("V100137", "AC-17", "critical", "No MFA on vendor remote access",
     "Vendor remote access to MES servers", -60,
     "Fabrica's support engineers reach our MES servers in both plants through the remote "
     "access gateway with a shared password and no second factor.",
     [
         (-60, "analyst", "comment",
          "Agreed with Fabrica's support lead by phone: MFA on the gateway and named engineer "
          "accounts. Their plan is recorded below."),
         (-55, "analyst", "plan",
          "Fabrica enforces MFA on the remote access gateway and replaces the shared support "
          "account with one named account per engineer.",
          -10, ((-30, "MFA enforced on the remote access gateway"),
                (-14, "Shared support account replaced by named engineer accounts"))),
         (-55, "analyst", "review", "accept", ""),
         (-29, "analyst", "milestone", 0),
         (-14, "analyst", "milestone", 1),
         (-12, "analyst", "evidence", "Remote access gateway MFA enforcement report",
          "Sent by Fabrica's support lead."),
         (-12, "analyst", "move", "resolved", "Fabrica reports both steps done."),
         (0, "analyst", "move", "verified",
          "Tested from outside: a login without the second factor is refused, and the "
          "gateway report lists named accounts only."),
     ]),
    # Risk accepted by the executive, the acceptance ending within days.
    ("V100134", "IA-2", "high", "No MFA on the VAN partner onboarding portal",
     "VAN partner onboarding portal", -50,
     "The EDI VAN's partner onboarding portal takes a password only; whoever has it can change "
     "where our mills' messages are routed.",
     [
         (-45, "analyst", "comment",
          "EuroEDI cannot enforce MFA before its SSO release. Asking for a time-limited risk "
          "acceptance with the IP allow-list as a compensating control."),
         (-5, "executive", "accept", 9,
          "EuroEDI moves the portal to SSO with MFA in its next release. Until then only our two "
          "office IP ranges reach it and the routing table is checked weekly. Accepted until the "
          "release date."),
     ]),
    # Risk accepted for months: the gap is closed by the next certification audit.
    ("V100126", "ISO28000-8.2", "medium", "Cross-dock subcontractor outside the ISO 28000 scope",
     None, -35,
     "Hollandia sends overflow pallets to a subcontracted cross-dock in Venlo that is not in the "
     "scope of its security management system.",
     [
         (-3, "executive", "accept", 120,
          "The subcontracted cross-dock handles non-bonded overflow only, and Hollandia's "
          "recertification audit brings it into scope. Accepted until the new certificate is "
          "issued."),
     ]),
    # An acceptance that lapsed: the finding reopened, overdue, back with its owner.
    ("V100118", "SC-7", "high", "Site-to-site VPN lands directly in the MES core network",
     "VPN site-to-site to MES", -88,
     "Since the plant migration the contract manufacturer's VPN terminates inside the MES core "
     "network instead of the DMZ, so a compromise at Đồng Nai reaches our production systems.",
     [
         (-85, "executive", "accept", -25,
          "Needed while the Đồng Nai line migrates; the firewall team watches the tunnel daily. "
          "Accepted until the migration ends."),
         (-24, "analyst", "expire"),
         (-20, "analyst", "comment",
          "The acceptance lapsed and the re-segmentation slipped to next month; back on my "
          "worklist and escalated to the plant IT lead."),
     ]),
    # An accepted plan whose date has passed: overdue.
    ("V100114", "SR-4", "medium", "SBOM not provided for sensor firmware", None, -110,
     "Sensortec ships firmware for the torque sensors without a software bill of materials, so "
     "we cannot tell whether a published vulnerability affects the sensors in our drives.",
     [
         (-100, "analyst", "plan",
          "Agreed in the onboarding call: Sensortec provides a CycloneDX SBOM for the current "
          "firmware and ships one with every release.",
          -15, ((-70, "Sample SBOM (CycloneDX) for firmware 1.8 shared"),
                (-40, "SBOM for firmware 2.x"),
                (-15, "SBOM shipped with every firmware release"))),
         (-98, "analyst", "review", "accept", "Accepted as agreed in the onboarding call."),
         (-68, "analyst", "milestone", 0),
         (-10, "analyst", "comment",
          "Second reminder sent: the SBOM for firmware 2.x has not arrived. Escalating to "
          "Sensortec's account manager."),
     ]),
    # A plan sent back: too slow for the severity.
    ("V100105", "SR-11", "medium",
     "Mill test certificates can be forged (no signature or QR check)", None, -25,
     "The special steel mill's test certificates are unsigned PDFs; a counterfeit bar would "
     "arrive with a certificate we cannot tell from a real one.",
     [
         (-20, "analyst", "plan",
          "Received by e-mail from the mill's quality manager: a QR code on every certificate "
          "first, digitally signed certificates later.",
          300, ((120, "QR code on every mill test certificate"),
                (300, "Certificates signed and checkable online"))),
         (-18, "analyst", "review", "reject",
          "Nearly a year is too long for a medium finding: please bring the QR codes within "
          "the 90-day SLA."),
     ]),
]
# fmt: on
