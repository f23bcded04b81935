//! Reply templates, per language (English, Spanish, Portuguese, Italian), and their filling.
//!
//! Placeholders: `{name}` (contact's first name), `{agent}` (agent's first name), `{product}`,
//! `{order}`, `{invoice}`, `{amount}` and `{plan}`.

/// Customer messages after the first, per language.
pub const CUSTOMER_FOLLOWUPS: [&[&str]; 4] = [
    &[
        "I tried that but it's still the same.",
        "Thanks. Here is the extra information you asked for: order {order}, bought in March.",
        "OK, I did what you suggested. What happens next?",
        "Sorry, one more question: does this also apply to {product}?",
        "It worked for a while and now the problem is back.",
    ],
    &[
        "Lo he probado pero sigue igual.",
        "Vale, ya lo he hecho. ¿Y ahora qué?",
        "Os paso los datos que pedíais: pedido {order}.",
    ],
    &[
        "Já experimentei mas continua igual.",
        "Ok, já fiz isso. E agora?",
        "Aqui vão os dados que pediram: encomenda {order}.",
    ],
    &[
        "Ho provato ma non cambia nulla.",
        "Ok, fatto. E adesso?",
        "Ecco i dati che mi avete chiesto: ordine {order}.",
    ],
];

/// Customer messages sent while still waiting for a first answer, per language.
pub const CUSTOMER_BUMPS: [&[&str]; 4] = [
    &[
        "Any update on this? It's been a while.",
        "Adding some detail: it happens every time, on every device we tried.",
        "Hello? This is getting urgent for us.",
    ],
    &[
        "¿Alguna novedad? Ha pasado un tiempo.",
        "Hola, ¿alguien lo está mirando? Es urgente.",
    ],
    &[
        "Alguma novidade? Já passou algum tempo.",
        "Olá, alguém está a ver isto? É urgente.",
    ],
    &[
        "Ci sono novità? È passato un po'.",
        "Buongiorno, qualcuno se ne sta occupando? È urgente.",
    ],
];

/// Customer messages right before an agent closes the conversation, per language.
pub const CUSTOMER_THANKS: [&[&str]; 4] = [
    &[
        "That fixed it, thank you!",
        "Perfect, all sorted. Thanks for the quick help.",
        "Received, thanks a lot.",
    ],
    &[
        "¡Solucionado, muchas gracias!",
        "Perfecto, ya está. Gracias por la rapidez.",
    ],
    &[
        "Resolvido, muito obrigado!",
        "Perfeito, já está. Obrigada pela rapidez.",
    ],
    &[
        "Risolto, grazie mille!",
        "Perfetto, tutto a posto. Grazie per la rapidità.",
    ],
];

/// An agent's first answer, per language.
pub const AGENT_FIRST: [&[&str]; 4] = [
    &[
        "Hi {name}, thanks for reaching out! I'm looking into this now.",
        "Hi {name}, sorry for the trouble. Could you send me a screenshot of what you see?",
        "Thanks {name}, I've passed this to the right team and will keep you posted.",
        "Hi {name}, thanks for the details. Let me check with the team and come back to you today.",
    ],
    &[
        "Hola {name}, gracias por escribirnos. Lo estoy revisando ahora mismo.",
        "Hola {name}, perdona las molestias. ¿Me envías una captura de lo que ves?",
    ],
    &[
        "Olá {name}, obrigado pelo contacto. Estou a verificar agora mesmo.",
        "Olá {name}, lamentamos o incómodo. Pode enviar uma captura do que está a ver?",
    ],
    &[
        "Ciao {name}, grazie per averci scritto. Sto verificando proprio ora.",
        "Ciao {name}, ci scusiamo per il disagio. Mi mandi uno screenshot di quello che vedi?",
    ],
];

/// Later agent answers, per language.
pub const AGENT_FOLLOWUPS: [&[&str]; 4] = [
    &[
        "Thanks for the details, I'm checking this with the team now.",
        "Quick update: we've found the cause and a fix is on its way.",
        "Just checking in: did the steps above solve it for you?",
        "I've escalated this to our specialists and will get back to you as soon as I hear from them.",
        "Sorry for the wait, {name}. I'm still on it and will update you by tomorrow.",
    ],
    &[
        "Gracias por los datos, lo estoy revisando con el equipo.",
        "Novedades: hemos encontrado la causa y la solución está en camino.",
    ],
    &[
        "Obrigado pelos dados, estou a verificar com a equipa.",
        "Novidades: encontrámos a causa e a solução está a caminho.",
    ],
    &[
        "Grazie per i dettagli, sto verificando con il team.",
        "Aggiornamento: abbiamo trovato la causa e la soluzione è in arrivo.",
    ],
];

/// An agent's last answer before closing, per language.
pub const AGENT_CLOSING: [&[&str]; 4] = [
    &[
        "Glad that's sorted! I'll close this conversation; just reply if anything else comes up.",
        "You're welcome, {name}. Closing this one for now. Have a great day!",
        "All done on our side. Let us know if you need anything else, {name}.",
    ],
    &[
        "¡Me alegro de que esté resuelto! Cierro la conversación; respóndenos si necesitas algo más.",
    ],
    &[
        "Ainda bem que ficou resolvido! Vou fechar a conversa; responda se precisar de mais alguma coisa.",
    ],
    &["Felice che sia risolto! Chiudo la conversazione; rispondi pure se serve altro."],
];

/// Internal notes between agents, besides each topic's own.
pub const NOTES: &[&str] = &[
    "{agent}, can you take this one? It's more your area.",
    "Known issue, linked to the incident from Tuesday. Waiting on engineering.",
    "Customer is on the {plan} plan, renewal next month. Be nice, they're considering an upgrade.",
    "Second time this customer writes about this; let's make sure it sticks this time.",
];

/// Sign-offs appended to email answers, per language.
pub const SIGN_OFF: [&str; 4] = [
    "Best regards",
    "Un saludo",
    "Cumprimentos",
    "Cordiali saluti",
];

/// Values substituted into the templates of one conversation.
pub struct Vars<'a> {
    pub name: &'a str,
    pub agent: &'a str,
    pub product: &'a str,
    pub order: String,
    pub invoice: String,
    pub amount: &'a str,
    pub plan: &'a str,
}

impl Vars<'_> {
    /// The template with its `{placeholders}` replaced.
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 24);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            out.push_str(match &rest[open + 1..open + close] {
                "name" => self.name,
                "agent" => self.agent,
                "product" => self.product,
                "order" => &self.order,
                "invoice" => &self.invoice,
                "amount" => self.amount,
                "plan" => self.plan,
                other => other,
            });
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }
}
