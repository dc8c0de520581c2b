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
