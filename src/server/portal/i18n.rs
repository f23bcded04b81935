//! Every string of the portal's pages and e-mails, one table per language.
//!
//! Placeholders are `{name}` and are filled by [`fill`]; every language has the same keys and
//! the same placeholders per key (a test checks it).

use crate::api::portal::Language;

/// One language's strings: (key, text).
type Table = &'static [(&'static str, &'static str)];

const EN: Table = &[
    ("skip", "Skip to content"),
    ("nav_tickets", "My tickets"),
    ("nav_new", "New ticket"),
    ("sign_out", "Sign out"),
    ("signed_in_as", "Signed in as {email}"),
    ("signin_title", "Sign in"),
    ("email", "E-mail address"),
    ("password", "Password"),
    ("signin_button", "Sign in"),
    (
        "signin_failed",
        "The e-mail address or the password is not right.",
    ),
    ("forgot", "Forgot your password?"),
    ("no_account", "No account yet? Create one"),
    ("too_many_title", "Too many attempts"),
    (
        "too_many",
        "Too many sign-in attempts. Wait {minutes} minutes, then try again.",
    ),
    (
        "too_many_posts",
        "Too many requests from your network. Wait {minutes} minutes, then try again.",
    ),
    ("busy_title", "Busy right now"),
    (
        "busy",
        "Many people are signing in right now. Wait a few seconds, then try again.",
    ),
    ("signup_title", "Create your account"),
    (
        "signup_intro",
        "Enter the e-mail address you use with us. We will send you a link to confirm it and choose your password.",
    ),
    ("signup_button", "Send me a link"),
    ("check_inbox_title", "Check your inbox"),
    (
        "check_inbox",
        "If {email} can use this portal, we have sent it a link. Open it to continue.",
    ),
    (
        "invitation_only",
        "This portal is by invitation only. Ask your support team to invite you.",
    ),
    ("have_account", "Already have an account? Sign in"),
    ("reset_title", "Reset your password"),
    (
        "reset_intro",
        "Enter your e-mail address. We will send you a link to choose a new password.",
    ),
    ("reset_button", "Send me a link"),
    ("password_title", "Choose your password"),
    ("new_password", "New password"),
    ("confirm_password", "Repeat the password"),
    ("password_hint", "At least {min} characters."),
    ("password_button", "Save password"),
    (
        "password_short",
        "The password must have at least {min} characters.",
    ),
    ("password_mismatch", "The two passwords are not the same."),
    ("link_invalid_title", "This link cannot be used"),
    (
        "link_invalid",
        "The link has expired or was already used. Ask for a new one.",
    ),
    ("notice_signed_out", "You have signed out."),
    (
        "notice_ticket_created",
        "Your ticket was sent. We will answer you here.",
    ),
    ("notice_reply_sent", "Your reply was sent."),
    (
        "notice_password_set",
        "Your password is saved and you are signed in.",
    ),
    ("tickets_title", "Your tickets"),
    ("tickets_empty", "You have no tickets yet."),
    ("col_subject", "Subject"),
    ("col_status", "Status"),
    ("col_updated", "Last update"),
    ("col_opened_by", "Opened by"),
    ("status_new", "Received"),
    ("status_waiting_on_us", "In progress"),
    ("status_waiting_on_contact", "Waiting for your reply"),
    ("status_closed", "Closed"),
    ("you", "You"),
    ("support_team", "Support"),
    ("attachments", "Attachments"),
    ("conversation", "Conversation"),
    ("reply_title", "Reply"),
    ("reply_label", "Your reply"),
    ("attach_label", "Attach files (optional)"),
    ("attach_hint", "Up to {mb} MB a file, {total} MB in all."),
    ("reply_button", "Send reply"),
    ("back_to_tickets", "Back to your tickets"),
    ("reply_empty", "Write a reply or attach a file."),
    (
        "ticket_closed_note",
        "This ticket is closed. Replying opens it again.",
    ),
    ("new_title", "Open a ticket"),
    ("subject_label", "Subject"),
    ("description_label", "How can we help?"),
    ("new_button", "Send ticket"),
    ("subject_required", "Write a subject."),
    ("description_required", "Describe your request."),
    ("not_found_title", "Page not found"),
    (
        "not_found",
        "This page does not exist, or you cannot see it.",
    ),
    ("csrf_title", "The form has expired"),
    (
        "csrf",
        "The form was too old or did not come from this portal. Go back, reload the page and try again.",
    ),
    ("too_large_title", "Files too large"),
    (
        "too_large",
        "A file is larger than {mb} MB, or the files together are larger than {total} MB.",
    ),
    ("error_title", "Something went wrong"),
    (
        "server_error",
        "The portal could not complete this request. Try again in a moment.",
    ),
    (
        "bad_form",
        "The form could not be read. Go back and try again.",
    ),
    (
        "too_long",
        "The text is too long: at most {max} characters.",
    ),
    (
        "mail_verify_subject",
        "Confirm your e-mail address for {portal}",
    ),
    (
        "mail_verify_body",
        "Hello,\n\nsomeone, we hope you, asked to create an account on {portal} with this e-mail address. To confirm it and choose your password, open this link within 24 hours:\n\n{link}\n\nIf it was not you, ignore this e-mail: no account is created.",
    ),
    ("mail_exists_subject", "Your account on {portal}"),
    (
        "mail_exists_body",
        "Hello,\n\nsomeone asked to create an account on {portal} with this e-mail address, but it already has one. Sign in at {signin}\n\nIf you forgot your password, choose a new one with this link within one hour:\n\n{link}\n\nIf it was not you, ignore this e-mail.",
    ),
    ("mail_reset_subject", "Reset your password for {portal}"),
    (
        "mail_reset_body",
        "Hello,\n\nto choose a new password for {portal}, open this link within one hour:\n\n{link}\n\nIf you did not ask for it, ignore this e-mail: your password stays the same.",
    ),
    ("mail_invite_subject", "You are invited to {portal}"),
    (
        "mail_invite_body",
        "Hello,\n\nyou are invited to {portal}, where you can follow, answer and open your support tickets. To accept and choose your password, open this link within 7 days:\n\n{link}",
    ),
    ("mail_reply_subject", "New reply to your ticket: {subject}"),
    (
        "mail_reply_body",
        "Hello,\n\n{agent} answered your ticket \"{subject}\" on {portal}:\n\n{text}\n\nRead it and answer on the portal:\n{link}",
    ),
];

const ES: Table = &[
    ("skip", "Saltar al contenido"),
    ("nav_tickets", "Mis tickets"),
    ("nav_new", "Nuevo ticket"),
    ("sign_out", "Cerrar sesión"),
    ("signed_in_as", "Sesión iniciada como {email}"),
    ("signin_title", "Iniciar sesión"),
    ("email", "Correo electrónico"),
    ("password", "Contraseña"),
    ("signin_button", "Iniciar sesión"),
    (
        "signin_failed",
        "El correo electrónico o la contraseña no son correctos.",
    ),
    ("forgot", "¿Olvidaste tu contraseña?"),
    ("no_account", "¿Aún no tienes cuenta? Crea una"),
    ("too_many_title", "Demasiados intentos"),
    (
        "too_many",
        "Demasiados intentos de inicio de sesión. Espera {minutes} minutos y vuelve a intentarlo.",
    ),
    (
        "too_many_posts",
        "Demasiadas solicitudes desde tu red. Espera {minutes} minutos y vuelve a intentarlo.",
    ),
    ("busy_title", "Mucha actividad ahora"),
    (
        "busy",
        "Muchas personas están iniciando sesión ahora. Espera unos segundos y vuelve a intentarlo.",
    ),
    ("signup_title", "Crea tu cuenta"),
    (
        "signup_intro",
        "Introduce el correo electrónico que usas con nosotros. Te enviaremos un enlace para confirmarlo y elegir tu contraseña.",
    ),
    ("signup_button", "Enviarme un enlace"),
    ("check_inbox_title", "Revisa tu bandeja de entrada"),
    (
        "check_inbox",
        "Si {email} puede usar este portal, le hemos enviado un enlace. Ábrelo para continuar.",
    ),
    (
        "invitation_only",
        "Este portal es solo por invitación. Pide a tu equipo de soporte que te invite.",
    ),
    ("have_account", "¿Ya tienes cuenta? Inicia sesión"),
    ("reset_title", "Restablece tu contraseña"),
    (
        "reset_intro",
        "Introduce tu correo electrónico. Te enviaremos un enlace para elegir una contraseña nueva.",
    ),
    ("reset_button", "Enviarme un enlace"),
    ("password_title", "Elige tu contraseña"),
    ("new_password", "Contraseña nueva"),
    ("confirm_password", "Repite la contraseña"),
    ("password_hint", "Al menos {min} caracteres."),
    ("password_button", "Guardar contraseña"),
    (
        "password_short",
        "La contraseña debe tener al menos {min} caracteres.",
    ),
    ("password_mismatch", "Las dos contraseñas no coinciden."),
    ("link_invalid_title", "Este enlace no se puede usar"),
    (
        "link_invalid",
        "El enlace ha caducado o ya se usó. Pide uno nuevo.",
    ),
    ("notice_signed_out", "Has cerrado la sesión."),
    (
        "notice_ticket_created",
        "Tu ticket se ha enviado. Te responderemos aquí.",
    ),
    ("notice_reply_sent", "Tu respuesta se ha enviado."),
    (
        "notice_password_set",
        "Tu contraseña se ha guardado y has iniciado sesión.",
    ),
    ("tickets_title", "Tus tickets"),
    ("tickets_empty", "Aún no tienes tickets."),
    ("col_subject", "Asunto"),
    ("col_status", "Estado"),
    ("col_updated", "Última actualización"),
    ("col_opened_by", "Abierto por"),
    ("status_new", "Recibido"),
    ("status_waiting_on_us", "En curso"),
    ("status_waiting_on_contact", "Esperando tu respuesta"),
    ("status_closed", "Cerrado"),
    ("you", "Tú"),
    ("support_team", "Soporte"),
    ("attachments", "Archivos adjuntos"),
    ("conversation", "Conversación"),
    ("reply_title", "Responder"),
    ("reply_label", "Tu respuesta"),
    ("attach_label", "Adjuntar archivos (opcional)"),
    (
        "attach_hint",
        "Hasta {mb} MB por archivo, {total} MB en total.",
    ),
    ("reply_button", "Enviar respuesta"),
    ("back_to_tickets", "Volver a tus tickets"),
    ("reply_empty", "Escribe una respuesta o adjunta un archivo."),
    (
        "ticket_closed_note",
        "Este ticket está cerrado. Si respondes, se vuelve a abrir.",
    ),
    ("new_title", "Abrir un ticket"),
    ("subject_label", "Asunto"),
    ("description_label", "¿En qué podemos ayudarte?"),
    ("new_button", "Enviar ticket"),
    ("subject_required", "Escribe un asunto."),
    ("description_required", "Describe tu solicitud."),
    ("not_found_title", "Página no encontrada"),
    ("not_found", "Esta página no existe o no puedes verla."),
    ("csrf_title", "El formulario ha caducado"),
    (
        "csrf",
        "El formulario era demasiado antiguo o no venía de este portal. Vuelve atrás, recarga la página e inténtalo de nuevo.",
    ),
    ("too_large_title", "Archivos demasiado grandes"),
    (
        "too_large",
        "Un archivo supera {mb} MB, o los archivos juntos superan {total} MB.",
    ),
    ("error_title", "Algo ha salido mal"),
    (
        "server_error",
        "El portal no pudo completar esta solicitud. Inténtalo de nuevo en un momento.",
    ),
    (
        "bad_form",
        "No se pudo leer el formulario. Vuelve atrás e inténtalo de nuevo.",
    ),
    (
        "too_long",
        "El texto es demasiado largo: como máximo {max} caracteres.",
    ),
    (
        "mail_verify_subject",
        "Confirma tu correo electrónico para {portal}",
    ),
    (
        "mail_verify_body",
        "Hola:\n\nalguien, esperamos que tú, ha pedido crear una cuenta en {portal} con este correo electrónico. Para confirmarlo y elegir tu contraseña, abre este enlace en las próximas 24 horas:\n\n{link}\n\nSi no fuiste tú, ignora este correo: no se crea ninguna cuenta.",
    ),
    ("mail_exists_subject", "Tu cuenta en {portal}"),
    (
        "mail_exists_body",
        "Hola:\n\nalguien ha pedido crear una cuenta en {portal} con este correo electrónico, pero ya tiene una. Inicia sesión en {signin}\n\nSi olvidaste tu contraseña, elige una nueva con este enlace en la próxima hora:\n\n{link}\n\nSi no fuiste tú, ignora este correo.",
    ),
    ("mail_reset_subject", "Restablece tu contraseña de {portal}"),
    (
        "mail_reset_body",
        "Hola:\n\npara elegir una contraseña nueva para {portal}, abre este enlace en la próxima hora:\n\n{link}\n\nSi no lo pediste, ignora este correo: tu contraseña no cambia.",
    ),
    ("mail_invite_subject", "Te han invitado a {portal}"),
    (
        "mail_invite_body",
        "Hola:\n\nte han invitado a {portal}, donde puedes seguir, responder y abrir tus tickets de soporte. Para aceptar y elegir tu contraseña, abre este enlace en los próximos 7 días:\n\n{link}",
    ),
    (
        "mail_reply_subject",
        "Nueva respuesta a tu ticket: {subject}",
    ),
    (
        "mail_reply_body",
        "Hola:\n\n{agent} ha respondido a tu ticket \"{subject}\" en {portal}:\n\n{text}\n\nLéelo y responde en el portal:\n{link}",
    ),
];

const PT: Table = &[
    ("skip", "Pular para o conteúdo"),
    ("nav_tickets", "Meus tickets"),
    ("nav_new", "Novo ticket"),
    ("sign_out", "Sair"),
    ("signed_in_as", "Conectado como {email}"),
    ("signin_title", "Entrar"),
    ("email", "Endereço de e-mail"),
    ("password", "Senha"),
    ("signin_button", "Entrar"),
    (
        "signin_failed",
        "O endereço de e-mail ou a senha não estão corretos.",
    ),
    ("forgot", "Esqueceu sua senha?"),
    ("no_account", "Ainda não tem conta? Crie uma"),
    ("too_many_title", "Tentativas demais"),
    (
        "too_many",
        "Tentativas de entrada demais. Aguarde {minutes} minutos e tente novamente.",
    ),
    (
        "too_many_posts",
        "Solicitações demais vindas da sua rede. Aguarde {minutes} minutos e tente novamente.",
    ),
    ("busy_title", "Muito movimento agora"),
    (
        "busy",
        "Muitas pessoas estão entrando agora. Aguarde alguns segundos e tente novamente.",
    ),
    ("signup_title", "Crie sua conta"),
    (
        "signup_intro",
        "Digite o endereço de e-mail que você usa conosco. Enviaremos um link para confirmá-lo e escolher sua senha.",
    ),
    ("signup_button", "Enviar um link"),
    ("check_inbox_title", "Verifique sua caixa de entrada"),
    (
        "check_inbox",
        "Se {email} puder usar este portal, enviamos um link para ele. Abra-o para continuar.",
    ),
    (
        "invitation_only",
        "Este portal é somente para convidados. Peça à sua equipe de suporte um convite.",
    ),
    ("have_account", "Já tem uma conta? Entre"),
    ("reset_title", "Redefina sua senha"),
    (
        "reset_intro",
        "Digite seu endereço de e-mail. Enviaremos um link para escolher uma nova senha.",
    ),
    ("reset_button", "Enviar um link"),
    ("password_title", "Escolha sua senha"),
    ("new_password", "Nova senha"),
    ("confirm_password", "Repita a senha"),
    ("password_hint", "Pelo menos {min} caracteres."),
    ("password_button", "Salvar senha"),
    (
        "password_short",
        "A senha deve ter pelo menos {min} caracteres.",
    ),
    ("password_mismatch", "As duas senhas não são iguais."),
    ("link_invalid_title", "Este link não pode ser usado"),
    (
        "link_invalid",
        "O link expirou ou já foi usado. Peça um novo.",
    ),
    ("notice_signed_out", "Você saiu."),
    (
        "notice_ticket_created",
        "Seu ticket foi enviado. Responderemos aqui.",
    ),
    ("notice_reply_sent", "Sua resposta foi enviada."),
    (
        "notice_password_set",
        "Sua senha foi salva e você está conectado.",
    ),
    ("tickets_title", "Seus tickets"),
    ("tickets_empty", "Você ainda não tem tickets."),
    ("col_subject", "Assunto"),
    ("col_status", "Status"),
    ("col_updated", "Última atualização"),
    ("col_opened_by", "Aberto por"),
    ("status_new", "Recebido"),
    ("status_waiting_on_us", "Em andamento"),
    ("status_waiting_on_contact", "Aguardando sua resposta"),
    ("status_closed", "Fechado"),
    ("you", "Você"),
    ("support_team", "Suporte"),
    ("attachments", "Anexos"),
    ("conversation", "Conversa"),
    ("reply_title", "Responder"),
    ("reply_label", "Sua resposta"),
    ("attach_label", "Anexar arquivos (opcional)"),
    (
        "attach_hint",
        "Até {mb} MB por arquivo, {total} MB no total.",
    ),
    ("reply_button", "Enviar resposta"),
    ("back_to_tickets", "Voltar aos seus tickets"),
    ("reply_empty", "Escreva uma resposta ou anexe um arquivo."),
    (
        "ticket_closed_note",
        "Este ticket está fechado. Responder o reabre.",
    ),
    ("new_title", "Abrir um ticket"),
    ("subject_label", "Assunto"),
    ("description_label", "Como podemos ajudar?"),
    ("new_button", "Enviar ticket"),
    ("subject_required", "Escreva um assunto."),
    ("description_required", "Descreva sua solicitação."),
    ("not_found_title", "Página não encontrada"),
    (
        "not_found",
        "Esta página não existe ou você não pode vê-la.",
    ),
    ("csrf_title", "O formulário expirou"),
    (
        "csrf",
        "O formulário era antigo demais ou não veio deste portal. Volte, recarregue a página e tente novamente.",
    ),
    ("too_large_title", "Arquivos grandes demais"),
    (
        "too_large",
        "Um arquivo tem mais de {mb} MB, ou os arquivos juntos têm mais de {total} MB.",
    ),
    ("error_title", "Algo deu errado"),
    (
        "server_error",
        "O portal não pôde concluir esta solicitação. Tente novamente em instantes.",
    ),
    (
        "bad_form",
        "Não foi possível ler o formulário. Volte e tente novamente.",
    ),
    (
        "too_long",
        "O texto é longo demais: no máximo {max} caracteres.",
    ),
    (
        "mail_verify_subject",
        "Confirme seu endereço de e-mail para {portal}",
    ),
    (
        "mail_verify_body",
        "Olá,\n\nalguém, esperamos que você, pediu para criar uma conta em {portal} com este endereço de e-mail. Para confirmá-lo e escolher sua senha, abra este link em até 24 horas:\n\n{link}\n\nSe não foi você, ignore este e-mail: nenhuma conta é criada.",
    ),
    ("mail_exists_subject", "Sua conta em {portal}"),
    (
        "mail_exists_body",
        "Olá,\n\nalguém pediu para criar uma conta em {portal} com este endereço de e-mail, mas ele já tem uma. Entre em {signin}\n\nSe você esqueceu sua senha, escolha uma nova com este link em até uma hora:\n\n{link}\n\nSe não foi você, ignore este e-mail.",
    ),
    ("mail_reset_subject", "Redefina sua senha de {portal}"),
    (
        "mail_reset_body",
        "Olá,\n\npara escolher uma nova senha para {portal}, abra este link em até uma hora:\n\n{link}\n\nSe você não pediu, ignore este e-mail: sua senha continua a mesma.",
    ),
    ("mail_invite_subject", "Você foi convidado para {portal}"),
    (
        "mail_invite_body",
        "Olá,\n\nvocê foi convidado para {portal}, onde pode acompanhar, responder e abrir seus tickets de suporte. Para aceitar e escolher sua senha, abra este link em até 7 dias:\n\n{link}",
    ),
    (
        "mail_reply_subject",
        "Nova resposta ao seu ticket: {subject}",
    ),
    (
        "mail_reply_body",
        "Olá,\n\n{agent} respondeu ao seu ticket \"{subject}\" em {portal}:\n\n{text}\n\nLeia e responda no portal:\n{link}",
    ),
];

const IT: Table = &[
    ("skip", "Vai al contenuto"),
    ("nav_tickets", "I miei ticket"),
    ("nav_new", "Nuovo ticket"),
    ("sign_out", "Esci"),
    ("signed_in_as", "Accesso effettuato come {email}"),
    ("signin_title", "Accedi"),
    ("email", "Indirizzo e-mail"),
    ("password", "Password"),
    ("signin_button", "Accedi"),
    (
        "signin_failed",
        "L'indirizzo e-mail o la password non sono corretti.",
    ),
    ("forgot", "Hai dimenticato la password?"),
    ("no_account", "Non hai ancora un account? Creane uno"),
    ("too_many_title", "Troppi tentativi"),
    (
        "too_many",
        "Troppi tentativi di accesso. Attendi {minutes} minuti e riprova.",
    ),
    (
        "too_many_posts",
        "Troppe richieste dalla tua rete. Attendi {minutes} minuti e riprova.",
    ),
    ("busy_title", "Molto traffico ora"),
    (
        "busy",
        "Molte persone stanno accedendo ora. Attendi qualche secondo e riprova.",
    ),
    ("signup_title", "Crea il tuo account"),
    (
        "signup_intro",
        "Inserisci l'indirizzo e-mail che usi con noi. Ti invieremo un link per confermarlo e scegliere la password.",
    ),
    ("signup_button", "Inviami un link"),
    ("check_inbox_title", "Controlla la tua casella di posta"),
    (
        "check_inbox",
        "Se {email} può usare questo portale, gli abbiamo inviato un link. Aprilo per continuare.",
    ),
    (
        "invitation_only",
        "Questo portale è solo su invito. Chiedi al tuo team di assistenza di invitarti.",
    ),
    ("have_account", "Hai già un account? Accedi"),
    ("reset_title", "Reimposta la password"),
    (
        "reset_intro",
        "Inserisci il tuo indirizzo e-mail. Ti invieremo un link per scegliere una nuova password.",
    ),
    ("reset_button", "Inviami un link"),
    ("password_title", "Scegli la password"),
    ("new_password", "Nuova password"),
    ("confirm_password", "Ripeti la password"),
    ("password_hint", "Almeno {min} caratteri."),
    ("password_button", "Salva la password"),
    (
        "password_short",
        "La password deve avere almeno {min} caratteri.",
    ),
    ("password_mismatch", "Le due password non coincidono."),
    ("link_invalid_title", "Questo link non può essere usato"),
    (
        "link_invalid",
        "Il link è scaduto o è già stato usato. Richiedine uno nuovo.",
    ),
    ("notice_signed_out", "Sei uscito."),
    (
        "notice_ticket_created",
        "Il tuo ticket è stato inviato. Ti risponderemo qui.",
    ),
    ("notice_reply_sent", "La tua risposta è stata inviata."),
    (
        "notice_password_set",
        "La password è stata salvata e hai effettuato l'accesso.",
    ),
    ("tickets_title", "I tuoi ticket"),
    ("tickets_empty", "Non hai ancora ticket."),
    ("col_subject", "Oggetto"),
    ("col_status", "Stato"),
    ("col_updated", "Ultimo aggiornamento"),
    ("col_opened_by", "Aperto da"),
    ("status_new", "Ricevuto"),
    ("status_waiting_on_us", "In lavorazione"),
    ("status_waiting_on_contact", "In attesa della tua risposta"),
    ("status_closed", "Chiuso"),
    ("you", "Tu"),
    ("support_team", "Assistenza"),
    ("attachments", "Allegati"),
    ("conversation", "Conversazione"),
    ("reply_title", "Rispondi"),
    ("reply_label", "La tua risposta"),
    ("attach_label", "Allega file (facoltativo)"),
    (
        "attach_hint",
        "Fino a {mb} MB per file, {total} MB in tutto.",
    ),
    ("reply_button", "Invia risposta"),
    ("back_to_tickets", "Torna ai tuoi ticket"),
    ("reply_empty", "Scrivi una risposta o allega un file."),
    (
        "ticket_closed_note",
        "Questo ticket è chiuso. Rispondendo lo riapri.",
    ),
    ("new_title", "Apri un ticket"),
    ("subject_label", "Oggetto"),
    ("description_label", "Come possiamo aiutarti?"),
    ("new_button", "Invia ticket"),
    ("subject_required", "Scrivi un oggetto."),
    ("description_required", "Descrivi la tua richiesta."),
    ("not_found_title", "Pagina non trovata"),
    ("not_found", "Questa pagina non esiste o non puoi vederla."),
    ("csrf_title", "Il modulo è scaduto"),
    (
        "csrf",
        "Il modulo era troppo vecchio o non proveniva da questo portale. Torna indietro, ricarica la pagina e riprova.",
    ),
    ("too_large_title", "File troppo grandi"),
    (
        "too_large",
        "Un file supera {mb} MB, oppure i file insieme superano {total} MB.",
    ),
    ("error_title", "Qualcosa è andato storto"),
    (
        "server_error",
        "Il portale non è riuscito a completare la richiesta. Riprova tra un momento.",
    ),
    (
        "bad_form",
        "Impossibile leggere il modulo. Torna indietro e riprova.",
    ),
    (
        "too_long",
        "Il testo è troppo lungo: al massimo {max} caratteri.",
    ),
    (
        "mail_verify_subject",
        "Conferma il tuo indirizzo e-mail per {portal}",
    ),
    (
        "mail_verify_body",
        "Ciao,\n\nqualcuno, speriamo tu, ha chiesto di creare un account su {portal} con questo indirizzo e-mail. Per confermarlo e scegliere la password, apri questo link entro 24 ore:\n\n{link}\n\nSe non sei stato tu, ignora questa e-mail: nessun account viene creato.",
    ),
    ("mail_exists_subject", "Il tuo account su {portal}"),
    (
        "mail_exists_body",
        "Ciao,\n\nqualcuno ha chiesto di creare un account su {portal} con questo indirizzo e-mail, ma ne ha già uno. Accedi da {signin}\n\nSe hai dimenticato la password, scegline una nuova con questo link entro un'ora:\n\n{link}\n\nSe non sei stato tu, ignora questa e-mail.",
    ),
    ("mail_reset_subject", "Reimposta la password di {portal}"),
    (
        "mail_reset_body",
        "Ciao,\n\nper scegliere una nuova password per {portal}, apri questo link entro un'ora:\n\n{link}\n\nSe non l'hai chiesto tu, ignora questa e-mail: la password resta la stessa.",
    ),
    ("mail_invite_subject", "Sei stato invitato su {portal}"),
    (
        "mail_invite_body",
        "Ciao,\n\nsei stato invitato su {portal}, dove puoi seguire, rispondere e aprire i tuoi ticket di assistenza. Per accettare e scegliere la password, apri questo link entro 7 giorni:\n\n{link}",
    ),
    (
        "mail_reply_subject",
        "Nuova risposta al tuo ticket: {subject}",
    ),
    (
        "mail_reply_body",
        "Ciao,\n\n{agent} ha risposto al tuo ticket \"{subject}\" su {portal}:\n\n{text}\n\nLeggilo e rispondi sul portale:\n{link}",
    ),
];

/// The table of a language.
pub fn table(lang: Language) -> Table {
    match lang {
        Language::En => EN,
        Language::Es => ES,
        Language::Pt => PT,
        Language::It => IT,
    }
}

/// The text of `key` in `lang` (English if a key were ever missing, then the key itself).
pub fn t(lang: Language, key: &str) -> &'static str {
    let find = |table: Table| table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    find(table(lang)).or_else(|| find(EN)).unwrap_or_else(|| {
        // Tests render every page in debug builds: a key missing from the tables fails them.
        if cfg!(debug_assertions) {
            panic!("portal string {key:?} is missing");
        }
        tracing::error!(key, "portal string missing");
        "?"
    })
}

/// The text of `key` with its `{name}` placeholders replaced by `values`, in one pass: a
/// value that itself contains `{...}` (customer text) is left as it is.
pub fn fill(lang: Language, key: &str, values: &[(&str, &str)]) -> String {
    let mut rest = t(lang, key);
    let mut out = String::with_capacity(rest.len());
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const ALL: [Language; 4] = [Language::En, Language::Es, Language::Pt, Language::It];

    fn placeholders(text: &str) -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
            .collect()
    }

    #[test]
    fn every_language_has_every_key_with_the_same_placeholders() {
        let keys: BTreeSet<&str> = EN.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys.len(), EN.len(), "a key appears twice in English");
        for lang in ALL {
            let table = table(lang);
            let these: BTreeSet<&str> = table.iter().map(|(k, _)| *k).collect();
            assert_eq!(these.len(), table.len(), "{lang}: a key appears twice");
            assert_eq!(these, keys, "{lang} has other keys than English");
            for (key, text) in table {
                assert!(!text.trim().is_empty(), "{lang}.{key} is empty");
                assert_eq!(
                    placeholders(text),
                    placeholders(t(Language::En, key)),
                    "{lang}.{key} has other placeholders than English"
                );
            }
        }
    }

    #[test]
    fn translations_are_translated() {
        for lang in [Language::Es, Language::Pt, Language::It] {
            let same = table(lang)
                .iter()
                .filter(|(k, v)| t(Language::En, k) == *v)
                .count();
            // Words such as "Password" or "Status" may be the same; whole pages may not.
            assert!(same <= 3, "{lang}: {same} strings are still English");
        }
    }

    #[test]
    fn fill_replaces_placeholders_once() {
        assert_eq!(
            fill(Language::Es, "password_hint", &[("min", "10")]),
            "Al menos 10 caracteres."
        );
        let text = fill(
            Language::En,
            "mail_reply_subject",
            &[("subject", "{text} {subject}")],
        );
        assert_eq!(text, "New reply to your ticket: {text} {subject}");
    }
}
