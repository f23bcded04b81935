//! Fixed word lists for the demo workspace: people, companies, products.
//!
//! Per-language lists are indexed English, Spanish, Portuguese, Italian.

/// Agents as (name, role, has_seat, available); the first one is the admin.
pub const AGENTS: &[(&str, &str, bool, bool)] = &[
    ("Sam Whitaker", "admin", true, true),
    ("Lucía Fernández", "agent", true, true),
    ("João Carvalho", "agent", true, true),
    ("Giulia Romano", "agent", true, true),
    ("Priya Raman", "agent", true, true),
    ("Tom Becker", "agent", true, false),
    ("Marta Oliveira", "agent", true, true),
    ("Diego Navarro", "agent", true, true),
    ("Hannah Lee", "agent", true, true),
    ("Marco Bianchi", "agent", true, false),
    ("Chloe Martin", "agent", true, true),
    ("Alex Kowalski", "agent", false, true),
];

/// Teams and the indexes (into [`AGENTS`]) of their members.
pub const TEAMS: &[(&str, &[usize])] = &[
    ("Billing", &[1, 4, 6, 10]),
    ("Technical", &[2, 4, 7, 8, 9]),
    ("Onboarding", &[3, 6, 10, 11]),
    ("Shipping", &[1, 5, 7, 9]),
    ("VIP Care", &[0, 3, 8]),
];

/// Index of the team that looks after conversations labelled `vip`.
pub const VIP_TEAM: usize = 4;

/// First names per language.
pub const FIRST_NAMES: [&[&str]; 4] = [
    &[
        "Emma", "Oliver", "Ava", "James", "Sophie", "Jack", "Isla", "Harry", "Grace", "Noah",
        "Chloe", "Ethan", "Lily", "Daniel", "Megan", "Ryan", "Zoe", "Liam", "Ella", "Nathan",
        "Olivia", "Lucas", "Amelia", "Henry", "Ruby", "Owen", "Evie", "Adam",
    ],
    &[
        "María",
        "José",
        "Lucía",
        "Javier",
        "Carmen",
        "Alejandro",
        "Sofía",
        "Pablo",
        "Elena",
        "Sergio",
        "Paula",
        "Álvaro",
        "Marta",
        "Raúl",
        "Ana",
        "Iñaki",
        "Nuria",
        "Andrés",
        "Irene",
        "Hugo",
    ],
    &[
        "João", "Ana", "Pedro", "Beatriz", "Tiago", "Inês", "Rafael", "Mariana", "Gonçalo",
        "Leonor", "Lucas", "Camila", "Rodrigo", "Larissa", "Thiago", "Fernanda", "Miguel", "Sara",
    ],
    &[
        "Giulia",
        "Marco",
        "Francesca",
        "Luca",
        "Chiara",
        "Alessandro",
        "Sara",
        "Matteo",
        "Valentina",
        "Lorenzo",
        "Martina",
        "Davide",
        "Elisa",
        "Simone",
        "Federica",
        "Niccolò",
        "Alessia",
        "Andrea",
    ],
];

/// Last names per language.
pub const LAST_NAMES: [&[&str]; 4] = [
    &[
        "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Walker",
        "Wright", "Robinson", "Thompson", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris",
        "Clarke", "Jackson", "Turner", "Parker", "Collins", "Mitchell", "Carter", "Reed",
    ],
    &[
        "García",
        "Fernández",
        "González",
        "Rodríguez",
        "López",
        "Martínez",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Martín",
        "Jiménez",
        "Ruiz",
        "Hernández",
        "Díaz",
        "Moreno",
        "Muñoz",
        "Álvarez",
        "Romero",
        "Navarro",
        "Torres",
        "Domínguez",
        "Vázquez",
    ],
    &[
        "Silva",
        "Santos",
        "Ferreira",
        "Pereira",
        "Oliveira",
        "Costa",
        "Rodrigues",
        "Martins",
        "Jesus",
        "Sousa",
        "Fernandes",
        "Gonçalves",
        "Gomes",
        "Lopes",
        "Marques",
        "Almeida",
        "Ribeiro",
        "Pinto",
        "Carvalho",
        "Araújo",
    ],
    &[
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
        "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
        "Lombardi", "Moretti",
    ],
];

/// Free-mail-looking domains per language.
pub const FREE_MAIL: [&[&str]; 4] = [
    &["mailbox.example", "inbox.example", "postbox.example"],
    &["correo.example", "mailbox.example"],
    &["caixa.example", "inbox.example"],
    &["posta.example", "mailbox.example"],
];

/// Phone prefixes per language, followed by `#` placeholders for random digits.
pub const PHONES: [&[&str]; 4] = [
    &["+44 7### ######", "+1 ###-555-####", "+61 4## ### ###"],
    &["+34 6## ### ###", "+52 55 #### ####"],
    &["+351 9## ### ###", "+55 11 9####-####"],
    &["+39 3## ### ####"],
];

/// First words of company names.
pub const COMPANY_HEADS: &[&str] = &[
    "Northwind",
    "Bluefin",
    "Sunpeak",
    "Ironbark",
    "Silverline",
    "Redwood",
    "Brightwater",
    "Copperleaf",
    "Greenfield",
    "Highgate",
    "Lumen",
    "Meridian",
    "Oakridge",
    "Pinecrest",
    "Quayside",
    "Riverstone",
    "Stonebridge",
    "Tidewater",
    "Vela",
    "Westbrook",
    "Alba",
    "Brisa",
    "Costa Verde",
    "Duomo",
    "Estrela",
    "Girasole",
    "Marea",
    "Olivo",
    "Sierra",
    "Terracotta",
];

/// Second words of company names.
pub const COMPANY_TAILS: &[&str] = &[
    "Logistics",
    "Studio",
    "Foods",
    "Labs",
    "Retail",
    "Clinic",
    "Travel",
    "Consulting",
    "Analytics",
    "Outfitters",
    "Media",
    "Bakery",
    "Motors",
    "Energy",
    "Dental",
    "Architects",
    "Books",
    "Fitness",
    "Wines",
    "Robotics",
];

/// Products the demo company sells.
pub const PRODUCTS: &[&str] = &[
    "Acme Router X2",
    "Acme Mesh Wi-Fi kit",
    "Acme Cloud Backup",
    "Acme Smart Thermostat",
    "Acme Doorbell Cam",
    "Acme POS terminal",
    "the mobile app",
    "the web dashboard",
    "Acme Label Printer",
    "Acme Sync for Teams",
];

/// Subscription plans.
pub const PLANS: &[&str] = &["Starter", "Team", "Business", "Enterprise"];

/// Prices shown in billing conversations.
pub const AMOUNTS: &[&str] = &[
    "€19.00",
    "€49.00",
    "€129.90",
    "$29.99",
    "$89.00",
    "£39.00",
    "€240.00",
    "$12.50",
];

/// Labels that may be added to any conversation, besides its topic label.
pub const EXTRA_LABELS: &[&str] = &["vip", "follow-up", "escalated", "feedback"];
