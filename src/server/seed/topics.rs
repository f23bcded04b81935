//! What conversations are about, with subjects and first messages per language (English,
//! Spanish, Portuguese, Italian); placeholders as in [`super::text`].

/// What a conversation is about: its label, the team that handles it, and how it starts.
pub struct Topic {
    pub label: &'static str,
    /// Relative frequency among topics.
    pub weight: u32,
    /// Index into [`super::names::TEAMS`].
    pub team: usize,
    /// Subjects per language; subject `i` goes with opening `i`, or with the last opening
    /// when a language has fewer.
    pub subjects: [&'static [&'static str]; 4],
    pub openings: [&'static [&'static str]; 4],
    /// An agent's answer that resolves the topic, per language.
    pub answers: [&'static str; 4],
    /// An internal note about the topic.
    pub note: &'static str,
}

pub const TOPICS: &[Topic] = &[
    Topic {
        label: "billing",
        weight: 16,
        team: 0,
        subjects: [
            &[
                "Charged twice for invoice {invoice}",
                "Unexpected charge of {amount}",
            ],
            &[
                "Cobro duplicado en la factura {invoice}",
                "Duda sobre la factura del plan {plan}",
            ],
            &[
                "Cobrança duplicada na fatura {invoice}",
                "Dúvida sobre a fatura do plano {plan}",
            ],
            &[
                "Addebito doppio sulla fattura {invoice}",
                "Domanda sulla fattura del piano {plan}",
            ],
        ],
        openings: [
            &[
                "I was charged {amount} twice this month for invoice {invoice}.\nCould you check and refund the duplicate?",
                "My card statement shows a charge of {amount} that I don't recognise.\nWe are on the {plan} plan and nothing changed on our side.",
            ],
            &[
                "Me habéis cobrado {amount} dos veces por la factura {invoice}.\n¿Podéis revisarlo y devolver el duplicado?",
            ],
            &[
                "Fui cobrado duas vezes ({amount}) pela fatura {invoice}.\nPodem verificar e devolver o valor duplicado?",
            ],
            &[
                "Mi avete addebitato {amount} due volte per la fattura {invoice}.\nPotete controllare e rimborsare il doppio addebito?",
            ],
        ],
        answers: [
            "I've refunded the duplicate charge of {amount} on invoice {invoice}; it takes 3-5 business days to show on your statement.",
            "He devuelto el cargo duplicado de {amount} de la factura {invoice}; tardará de 3 a 5 días hábiles en aparecer.",
            "Devolvi a cobrança duplicada de {amount} da fatura {invoice}; demora 3 a 5 dias úteis a aparecer.",
            "Ho rimborsato l'addebito doppio di {amount} della fattura {invoice}; servono 3-5 giorni lavorativi.",
        ],
        note: "Checked the payment provider: invoice {invoice} was captured twice. Refund pending approval.",
    },
    Topic {
        label: "refund",
        weight: 10,
        team: 0,
        subjects: [
            &[
                "Still waiting for my refund ({amount})",
                "Refund request for order {order}",
            ],
            &["Solicitud de reembolso del pedido {order}"],
            &["Pedido de reembolso da encomenda {order}"],
            &["Richiesta di rimborso per l'ordine {order}"],
        ],
        openings: [
            &[
                "I returned {product} (order {order}) two weeks ago and haven't seen the refund yet.",
                "Hi, I'd like a refund for order {order}: {product} arrived damaged.\nPhotos attached.",
            ],
            &["Devolví {product} (pedido {order}) hace dos semanas y aún no veo el reembolso."],
            &[
                "Devolvi o {product} (encomenda {order}) há duas semanas e ainda não recebi o reembolso.",
            ],
            &[
                "Ho restituito {product} (ordine {order}) due settimane fa e non ho ancora ricevuto il rimborso.",
            ],
        ],
        answers: [
            "Your refund for order {order} ({amount}) has been approved and is on its way; allow 3-5 business days.",
            "El reembolso del pedido {order} ({amount}) está aprobado y en camino; cuenta de 3 a 5 días hábiles.",
            "O reembolso da encomenda {order} ({amount}) foi aprovado e está a caminho; conte 3 a 5 dias úteis.",
            "Il rimborso dell'ordine {order} ({amount}) è approvato e in arrivo; servono 3-5 giorni lavorativi.",
        ],
        note: "Return for {order} received at the warehouse; OK to refund {amount}.",
    },
    Topic {
        label: "login",
        weight: 14,
        team: 1,
        subjects: [
            &["Can't log in to {product}", "Two-factor code never arrives"],
            &[
                "No puedo iniciar sesión en {product}",
                "No me llega el código de verificación",
            ],
            &[
                "Não consigo entrar em {product}",
                "O código de verificação não chega",
            ],
            &[
                "Non riesco ad accedere a {product}",
                "Il codice di verifica non arriva",
            ],
        ],
        openings: [
            &[
                "Since this morning I get \"invalid credentials\" on {product}, even after resetting my password.",
                "The two-factor SMS never arrives, so I'm locked out.\nI changed phones last week, could that be it?",
            ],
            &[
                "Desde esta mañana {product} me dice \"credenciales no válidas\", aunque he cambiado la contraseña.",
            ],
            &[
                "Desde hoje de manhã {product} diz \"credenciais inválidas\", mesmo depois de redefinir a senha.",
            ],
            &[
                "Da stamattina {product} mi dice \"credenziali non valide\", anche dopo aver reimpostato la password.",
            ],
        ],
        answers: [
            "I've reset your two-factor settings. Please sign out everywhere, then sign in again with your new password.",
            "He restablecido tu verificación en dos pasos. Cierra sesión en todos los dispositivos y vuelve a entrar.",
            "Redefini a verificação em dois passos. Termine sessão em todos os dispositivos e volte a entrar.",
            "Ho reimpostato la verifica in due passaggi. Esci da tutti i dispositivi e accedi di nuovo.",
        ],
        note: "Auth logs show repeated failures from a new device; a 2FA reset is safe.",
    },
    Topic {
        label: "shipping",
        weight: 14,
        team: 3,
        subjects: [
            &[
                "Where is my order {order}?",
                "Order {order} shows delivered but never arrived",
            ],
            &["¿Dónde está mi pedido {order}?"],
            &[
                "Onde está a minha encomenda {order}?",
                "A encomenda {order} não chegou",
            ],
            &[
                "Dov'è il mio ordine {order}?",
                "L'ordine {order} risulta consegnato ma non è arrivato",
            ],
        ],
        openings: [
            &[
                "Tracking for order {order} hasn't moved in five days. Can you tell me where it is?",
                "The carrier says {order} was delivered yesterday but there's nothing here.\nNeighbours haven't seen it either.",
            ],
            &[
                "El seguimiento del pedido {order} lleva cinco días sin moverse. ¿Sabéis dónde está?",
            ],
            &["O rastreio da encomenda {order} está parado há cinco dias. Sabem onde está?"],
            &["Il tracking dell'ordine {order} è fermo da cinque giorni. Sapete dove si trova?"],
        ],
        answers: [
            "The carrier confirms {order} is at the local depot; it will be delivered within two business days.",
            "El transportista confirma que {order} está en la delegación; se entregará en dos días hábiles.",
            "A transportadora confirma que {order} está no armazém local; será entregue em dois dias úteis.",
            "Il corriere conferma che {order} è al deposito locale; sarà consegnato entro due giorni lavorativi.",
        ],
        note: "Carrier confirms {order} is stuck at the depot; asked them to re-route.",
    },
    Topic {
        label: "bug",
        weight: 14,
        team: 1,
        subjects: [
            &["{product} crashes on startup", "Export to CSV is broken"],
            &[
                "{product} se cierra al arrancar",
                "Error 500 al guardar la configuración",
            ],
            &[
                "{product} fecha ao iniciar",
                "Erro 500 ao guardar as definições",
            ],
            &[
                "{product} si chiude all'avvio",
                "Errore 500 quando salvo le impostazioni",
            ],
        ],
        openings: [
            &[
                "Since the last update {product} crashes right after the splash screen.\nScreenshot attached.",
                "When I export reports to CSV the file is empty, only the header row.\nIt worked fine last week.",
            ],
            &[
                "Desde la última actualización {product} se cierra nada más abrirlo.\nAdjunto captura.",
            ],
            &[
                "Desde a última atualização o {product} fecha logo depois de abrir.\nEnvio captura de ecrã.",
            ],
            &[
                "Dall'ultimo aggiornamento {product} si chiude subito dopo l'apertura.\nAllego uno screenshot.",
            ],
        ],
        answers: [
            "This is a known bug in the latest version of {product}; the update with the fix is out today.",
            "Es un error conocido de la última versión de {product}; la actualización que lo corrige sale hoy.",
            "É um erro conhecido da última versão do {product}; a atualização com a correção sai hoje.",
            "È un bug noto dell'ultima versione di {product}; l'aggiornamento con la correzione esce oggi.",
        ],
        note: "Reproduced on {product} with the latest version. Filed internally.",
    },
    Topic {
        label: "feature-request",
        weight: 8,
        team: 1,
        subjects: [
            &[
                "Feature request: dark mode for {product}",
                "Could you add SSO for the {plan} plan?",
            ],
            &["Sugerencia: modo oscuro en {product}"],
            &["Sugestão: modo escuro no {product}"],
            &["Suggerimento: modalità scura per {product}"],
        ],
        openings: [
            &[
                "We love {product}, but a dark mode would make late shifts much easier on the eyes.",
                "Is single sign-on on the roadmap for the {plan} plan?\nOur IT team requires it before we roll out to 40 more people.",
            ],
            &[
                "Nos encanta {product}, pero un modo oscuro nos vendría muy bien para los turnos de noche.",
            ],
            &[
                "Gostamos muito do {product}, mas um modo escuro ajudava imenso nos turnos da noite.",
            ],
            &[
                "{product} ci piace molto, ma una modalità scura sarebbe utilissima per i turni serali.",
            ],
        ],
        answers: [
            "Thanks for the suggestion! I've shared it with our product team and added your vote to the request.",
            "¡Gracias por la sugerencia! La he compartido con el equipo de producto.",
            "Obrigado pela sugestão! Já a partilhei com a equipa de produto.",
            "Grazie per il suggerimento! L'ho condiviso con il team di prodotto.",
        ],
        note: "Third request for this one this month; added to the roadmap board.",
    },
    Topic {
        label: "account",
        weight: 9,
        team: 2,
        subjects: [
            &[
                "Change the owner of our account",
                "Add three seats to our {plan} plan",
            ],
            &["Cambiar el titular de la cuenta"],
            &["Alterar o titular da conta"],
            &["Cambiare il titolare dell'account"],
        ],
        openings: [
            &[
                "Our office manager is leaving; please transfer account ownership to me.",
                "Could you move us from the {plan} plan to the next tier and add three seats?\nHappy to pay the difference now.",
            ],
            &["Nuestra responsable deja la empresa; ¿podéis pasarme la titularidad de la cuenta?"],
            &[
                "A nossa responsável vai sair da empresa; podem passar a titularidade da conta para mim?",
            ],
            &[
                "La nostra responsabile lascia l'azienda; potete trasferire a me la titolarità dell'account?",
            ],
        ],
        answers: [
            "Done: the changes to your account are in place and you'll see them next time you sign in.",
            "Hecho: los cambios en tu cuenta ya están aplicados y los verás al volver a entrar.",
            "Feito: as alterações na conta já estão aplicadas e vai vê-las quando voltar a entrar.",
            "Fatto: le modifiche all'account sono attive e le vedrai al prossimo accesso.",
        ],
        note: "Verified the requester is an admin on the account before making changes.",
    },
    Topic {
        label: "setup",
        weight: 10,
        team: 2,
        subjects: [
            &[
                "Help setting up {product}",
                "Importing contacts from our old system",
            ],
            &["Ayuda para configurar {product}"],
            &["Ajuda para configurar o {product}"],
            &["Aiuto per configurare {product}"],
        ],
        openings: [
            &[
                "I've just received {product} and the setup wizard stops at step 3 of 5.",
                "We're migrating from another tool. Is there a way to import 2,000 contacts from a spreadsheet?",
            ],
            &[
                "Acabo de recibir {product} y el asistente de configuración se queda parado en el paso 3.",
            ],
            &[
                "Acabei de receber o {product} e o assistente de configuração fica parado no passo 3.",
            ],
            &["Ho appena ricevuto {product} e la procedura guidata si blocca al passaggio 3."],
        ],
        answers: [
            "Restart {product} and keep it close to the router during setup; the wizard should then finish.",
            "Reinicia {product} y mantenlo cerca del router durante la configuración; el asistente debería terminar.",
            "Reinicie o {product} e mantenha-o perto do router durante a configuração; o assistente deve terminar.",
            "Riavvia {product} e tienilo vicino al router durante la configurazione; la procedura dovrebbe completarsi.",
        ],
        note: "Customer is on the {plan} plan, entitled to a free onboarding call.",
    },
    Topic {
        label: "cancellation",
        weight: 5,
        team: 0,
        subjects: [
            &["Cancel my {plan} subscription", "Downgrade before renewal"],
            &["Cancelar mi suscripción {plan}"],
            &["Cancelar a minha assinatura {plan}"],
            &["Disdire l'abbonamento {plan}"],
        ],
        openings: [
            &[
                "Please cancel our {plan} subscription at the end of the current period.",
                "We'd like to downgrade before the renewal on the 1st; the {plan} plan is more than we need.",
            ],
            &["Por favor, cancelad nuestra suscripción {plan} al final del periodo actual."],
            &["Por favor cancelem a nossa assinatura {plan} no fim do período atual."],
            &["Vi chiedo di disdire il nostro abbonamento {plan} alla fine del periodo in corso."],
        ],
        answers: [
            "Your {plan} subscription will end at the close of the current period; you won't be charged again.",
            "Tu suscripción {plan} terminará al final del periodo actual; no se te volverá a cobrar.",
            "A sua assinatura {plan} termina no fim do período atual; não voltará a ser cobrado.",
            "Il tuo abbonamento {plan} terminerà alla fine del periodo in corso; non ti verrà addebitato altro.",
        ],
        note: "{agent}, they mention a competitor; could you offer the retention discount first?",
    },
];
