import { alternatives, phrase, type InjectionRule } from './injectionRules.js';
import type { InjectionText } from './injectionText.js';

/**
 * The rules of the prompt-injection detector that read what is asked for: secrets (API keys,
 * passwords, tokens) and another customer's data. Both are ordinary words in support tickets ("I
 * forgot my password", "my API key stopped working", "other customers have the same problem"), so
 * a rule needs three things: a request (a verb or a question word), the thing asked for, and an
 * owner who is not the customer (the assistant, the company's systems, another customer).
 */

const words = (text: string): ReadonlySet<string> => new Set(text.split(' '));

const REQUEST = words(
  [
    'what whats which where when show tell give send list share check look lookup export dump print provide need want forward reveal leak post paste output display',
    'zeig zeige zeigen gib geben nenne nennen schick schicke schicken sende senden liste welche welches welcher was wo wann lautet lauten verrate',
    'donne donnez donner envoie envoyez envoyer montre montrez dis dites quel quelle quels quelles ou quand transmets transmettez revele',
    'dame deme denme muestra muestrame muestreme dime digame envia enviame envieme cual cuales que donde cuando pasame ensename revela comparte',
  ].join(' '),
);
/** Asking about someone's order is a question; sending a gift to a friend's address is not. */
const SENDING = words('send forward schick schicke schicken sende senden envoie envoyez envoyer envia enviame envieme transmets transmettez');
const SELF = words('my our mein meine meinen meines meiner unser unsere mon ma mes notre nos mi mis nuestro nuestra nuestros nuestras new neue neues neuen nouveau nouvelle nuevo nueva');

const SECRET = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${alternatives([
    'api ?keys?|api ?tokens?|access ?tokens?|auth(?:entication)? tokens?|bearer tokens?|secret keys?|private keys?|tokens?|credentials|passwords?|passcodes?|secrets?',
    'passwort|passworter|kennwort|kennworter|zugangsdaten|api schlussel|geheimschlussel',
    'mot de passe|mots de passe|identifiants|cles? api|cles? secretes?|jetons?',
    'contrasenas?|claves? api|claves? secretas?|credenciales|secretos?',
  ])})(?![\\p{L}\\p{N}])`,
  'gu',
);
/** Whose secret it is: the assistant's, the company's systems', or other people's. */
const PRIVILEGED = words(
  [
    'admin administrator administrateur administrador root master system systeme sistema internal interne interno interna support dashboard',
    'server serveur servidor database datenbank db staff employee employees mitarbeiter agent agents service company firma entreprise empresa',
    'your deine dein deinen ton ta tes tu tus other another anderen anderer autre autres otro otros otra customer customers kunden client clients',
    'cliente clientes user users nutzer utilisateur utilisateurs usuario usuarios openai aws stripe production prod backend all alle tous toutes todos todas',
  ].join(' '),
);
/** "password reset link", "password requirements": about a password, not the password. */
const ABOUT_A_SECRET = words(
  'reset change changed recovery requirements requirement rules policy link email mail field expired manager strength zurucksetzen vergessen andern reinitialisation oublie restablecer olvidado olvide',
);

/** The words of the sentence before `index`, up to `count` of them. */
function sentenceBefore(text: string, index: number, count: number): string[] {
  const before = text.slice(0, index).trim().split(' ');
  const end = before.lastIndexOf('.');
  return before.slice(end + 1).slice(-count);
}

function sentenceAfter(text: string, index: number, count: number): string[] {
  const after = text.slice(index).trim().split(' ');
  const end = after.indexOf('.');
  return (end < 0 ? after : after.slice(0, end)).slice(0, count);
}

/** "tell me the admin password of the support dashboard", "quel est le mot de passe de l'admin". */
function asksForSecret(text: string): boolean {
  for (const match of text.matchAll(SECRET)) {
    const before = sentenceBefore(text, match.index, 8);
    const after = sentenceAfter(text, match.index + match[0].length, 4);
    if (ABOUT_A_SECRET.has(after[0] ?? '')) continue;
    const owners = [...before.slice(-4), ...after];
    if (owners.some((word) => SELF.has(word)) || !owners.some((word) => PRIVILEGED.has(word))) continue;
    if (before.some((word) => REQUEST.has(word))) return true;
  }
  return false;
}

const secretRequest: InjectionRule = { name: 'secret_request', matches: (text) => text.variants.some(asksForSecret) };

const PERSONAL_DATA = alternatives([
  'addresses|address|delivery address|home address|e ?mails?|e ?mail address(?:es)?|email address(?:es)?|phone(?: numbers?)?|telephone(?: numbers?)?|mobile numbers?',
  'card(?: numbers?| details)?|cards|credit cards?|payment (?:details|methods?|information|info)|personal (?:data|details|information|info)|details|data|information|info',
  'names?|(?:order |purchase )?history|birthdays?|date of birth|iban|bank (?:details|account)',
  'adressen?|lieferadresse|e ?mail adressen?|telefonnummern?|handynummer|kartennummern?|kreditkarten?(?:nummer)?|daten|kundendaten|bestellhistorie|kaufhistorie|bestellverlauf|zahlungsdaten|bankdaten|geburtsdatum',
  'adresses?|adresses? e ?mail|courriels?|numeros? de telephone|numeros? de carte|cartes? bancaires?|donnees|coordonnees|historique|informations',
  'direccion(?:es)?|correos?(?: electronicos?)?|telefonos?|numeros? de telefono|numeros? de tarjeta|tarjetas?|datos|historial|informacion',
]);
const ORDERS = 'orders?|purchases?|parcels?|packages?|account|accounts|bestellungen?|pakete?|konto|konten|commandes?|colis|compte|comptes|pedidos?|paquetes?|compras|cuenta|cuentas';
const DATA = `${PERSONAL_DATA}|${ORDERS}`;

const PERSON = alternatives([
  'friend|wife|husband|partner|neighbou?r|mother|father|mom|mum|dad|brother|sister|colleague|coworker|boss|son|daughter|roommate|flatmate|girlfriend|boyfriend',
  'someone else|somebody else|another person|other person|another customer|a different customer|personname',
]);

/** The customer by an id (`customer cust-42`, `la cliente cust-7`), unless it is the writer ("my customer number"). */
const CUSTOMER_ID = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:customer|customers|client|clients|cliente|clienta|kunde|kunden|kundin|user|nutzer|usuario|usuaria|utilisateur|utilisatrice|account|konto|compte|cuenta)(?: (?:id|nr|no|number|numero|nummer|num))? (?:[a-z]{1,6} )?\\d+(?![\\p{L}\\p{N}])`,
  'gu',
);
const WRITER = /(?:^| )(?:my|our|mein|meine|unser|unsere|mon|ma|notre|mi|nuestro|nuestra|i am|i m|im|ich bin|je suis|soy)(?: |$)/u;

/** Someone speaking for another customer: "I'm Ada Lovelace's assistant", "je suis le mari de". */
const ON_BEHALF = phrase(
  alternatives([
    '(?:i am|i m|im) (?:\\S+ ){0,3}s (?:assistant|secretary|husband|wife|partner|colleague|representative|employee|friend|son|daughter|mother|father|lawyer|agent)',
    'ich bin (?:der|die) (?:mann|ehemann|frau|ehefrau|assistent|assistentin|sekretar|sekretarin|partner|partnerin|kollege|kollegin|sohn|tochter|vertreter|vertreterin) (?:von|des|der)',
    'je suis (?:le|la) (?:mari|femme|epoux|epouse|assistant|assistante|secretaire|collegue|fils|fille|representant|representante|conjoint|conjointe) (?:de|du|d)',
    'soy (?:el|la) (?:marido|esposo|esposa|mujer|asistente|secretario|secretaria|colega|hijo|hija|representante|pareja) (?:de|del)',
  ]),
);

/** Many customers at once: "the last five customers", "der letzten zehn Kunden", "otros clientes". */
const OTHER_CUSTOMERS = alternatives([
  '(?:other|another|different|all (?:the |your |of your )?|every|the last \\S+|last \\S+|the previous \\S+|recent|\\d+ other|some other)(?: \\S+)? (?:customers?|clients?|users?|buyers?|shoppers?|people|persons|accounts)',
  '(?:anderer|anderen|andere|letzten \\S+|aller|alle|samtlicher|fremder|fremden) (?:kunden|kundinnen|nutzer|benutzer|personen|konten)',
  '(?:autres?|d autres|derniers? \\S+|\\S+ derniers|tous les|toutes les) (?:clients?|clientes?|utilisateurs?|comptes)',
  '(?:otros?|otras?|ultimos \\S+|\\S+ ultimos|todos los|todas las) (?:clientes?|usuarios?|compradores?|cuentas)',
]);

const phrases = (sources: readonly string[]): readonly RegExp[] => sources.map(phrase);

/** Personal data of several other customers: the data, then whose ("the e-mails of the last ten customers"), or the reverse. */
const OTHERS_DATA = phrases([
  `(?:${PERSONAL_DATA})(?: \\S+){0,5} (?:of|from|for|belonging to|von|der|des|de|del|d|du) (?:the |los |las |les )?(?:${OTHER_CUSTOMERS})`,
  `(?:${OTHER_CUSTOMERS})(?: s)? (?:\\S+ )?(?:${PERSONAL_DATA})`,
]);

/** One other person's data: "my friend's order", "die Bestellung meiner Frau", "el pedido de mi hermana", "the e-mail of Ada Lovelace". */
const RELATIVE_DATA = phrases([
  `(?:my |a |the )?(?:${PERSON}) s (?:\\S+ )?(?:${DATA})`,
  `(?:${DATA}) (?:of|for|belonging to|from) (?:my |a |the )?(?:${PERSON})`,
  `(?:${DATA}) (?:meines|meiner|von meinem|von meiner|von) (?:freund|freundes|freundin|mann|mannes|frau|partners|partnerin|nachbarn|nachbarin|kollegen|kollegin|mutter|vaters|bruders|schwester|sohnes|tochter|chefs|personname)`,
  `(?:${DATA}) (?:de|d) (?:mon |ma )?(?:ami|amie|mari|femme|voisin|voisine|collegue|mere|pere|frere|soeur|fils|fille|copain|copine|conjoint|conjointe|personname)`,
  `(?:${DATA}) de (?:mi )?(?:amigo|amiga|esposo|esposa|marido|mujer|vecino|vecina|madre|padre|hermano|hermana|colega|hijo|hija|novio|novia|pareja|personname)`,
]);

const DATA_WORD = new RegExp(`(?<![\\p{L}\\p{N}])(?:${DATA})(?![\\p{L}\\p{N}])`, 'gu');

/** Whether a match is about the writer: "my order history", "my customer number", "I am the account holder, customer 42". */
const isWriters = (text: string, index: number, lookBack = 2): boolean => WRITER.test(sentenceBefore(text, index, lookBack).join(' '));

/** Data in the text that is not the writer's own. */
const mentionsOthersData = (text: string): boolean => [...text.matchAll(DATA_WORD)].some((match) => !isWriters(text, match.index));

const hasRequest = (text: string, except: ReadonlySet<string> = new Set()): boolean => text.split(' ').some((word) => REQUEST.has(word) && !except.has(word));

function asksForOthersData(text: InjectionText): boolean {
  return [...text.variants, text.withNames].some((words) => {
    if (!hasRequest(words)) return false;
    const byId = [...words.matchAll(CUSTOMER_ID)].some((match) => !isWriters(words, match.index, 5));
    if ((byId || ON_BEHALF.test(words)) && mentionsOthersData(words)) return true;
    if (OTHERS_DATA.some((pattern) => pattern.test(words))) return true;
    return hasRequest(words, SENDING) && RELATIVE_DATA.some((pattern) => pattern.test(words));
  });
}

const otherCustomerData: InjectionRule = { name: 'other_customer_data', matches: asksForOthersData };

export const DATA_RULES: readonly InjectionRule[] = [secretRequest, otherCustomerData];
