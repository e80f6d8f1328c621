import type { Category } from '../tasks.js';
import { embed, lexicon, type Lexicon, type SparseVector } from './text.js';

/** The lexicons behind the offline triage, in English, German, French and Spanish. */

type TopicalCategory = Exclude<Category, 'other'>;

export const CATEGORY_TERMS: Readonly<Record<TopicalCategory, Lexicon>> = {
  billing: lexicon([
    'invoice*', 'bill', 'billing', 'billed', 'charg*', 'payment*', 'paid', 'pay', 'credit card', 'subscription*', 'price*', 'pricing', 'vat', 'receipt*', 'overcharg*',
    'rechnung*', 'zahlung*', 'abgebucht', 'abbuchung*', 'lastschrift*', 'kreditkarte*', 'abo', 'abonnement*', 'preis*', 'bezahlt',
    'facture*', 'paiement*', 'factura*', 'pago*', 'cobro*', 'cobrado',
  ]),
  refund: lexicon([
    'refund*', 'money back', 'reimburs*', 'return the', 'return it', 'returned', 'chargeback',
    '*erstatt*', 'geld zuruck', 'zuruckgeben', 'zuruckschicken', 'rucksendung*', 'retoure*', 'zuruckerhalten',
    'rembours*', 'reembols*', 'devolucion*', 'devolver',
  ]),
  shipping: lexicon([
    'ship*', 'deliver*', 'package*', 'parcel*', 'track*', 'courier', 'arriv*', 'dispatch*', 'where is my order', 'not received', 'never received', 'lost in transit',
    'liefer*', 'geliefert', 'paket*', 'versand*', 'versendet', 'sendung*', 'zugestellt', 'angekommen', 'zustellung', 'wo ist meine bestellung',
    'livraison*', 'livre', 'colis', 'envio*', 'paquete*', 'entrega*',
  ]),
  account: lexicon([
    'account*', 'login', 'log in', 'logged out', 'password*', 'sign in', 'username', 'email address', 'profile', '2fa', 'two factor', 'locked out',
    'konto*', 'kundenkonto*', 'passwort*', 'anmeld*', 'einlogg*', 'benutzer*', 'gesperrt', 'zugang*',
    'compte*', 'mot de passe', 'cuenta*', 'contrasena*',
  ]),
  technical: lexicon([
    'error*', 'bug*', 'crash*', 'not working', 'doesnt work', 'does not work', 'broken', 'app', 'install*', 'setup', 'set up', 'configur*', 'how do i', 'how can i', 'how to',
    'feature*', 'sync*', 'update*', 'firmware', 'device', 'reset', 'bluetooth', 'wifi',
    'fehler*', 'absturz*', 'sturzt', 'funktioniert nicht', 'geht nicht', 'einricht*', 'anleitung', 'wie kann ich', 'installier*', 'gerat',
    'erreur*', 'fonctionne pas', 'no funciona',
  ]),
  legal: lexicon([
    'lawyer*', 'attorney*', 'sue', 'suing', 'lawsuit*', 'court', 'legal action', 'gdpr', 'data protection', 'consumer protection', 'small claims',
    'anwalt*', 'rechtsanwalt*', 'anwaltin', 'klage*', 'verklag*', 'gericht*', 'datenschutz*', 'dsgvo', 'verbraucherschutz*', 'verbraucherzentrale',
    'avocat*', 'tribunal*', 'abogado*', 'demanda*',
  ]),
};

/** Short examples per category; their trigram vectors are what a message is compared to. */
const EXEMPLARS: Readonly<Record<TopicalCategory, readonly string[]>> = {
  billing: [
    'I was charged twice for my subscription this month',
    'The amount on my invoice is wrong',
    'My credit card payment failed',
    'Mir wurde der Betrag doppelt abgebucht',
    'Die Rechnung ist falsch',
  ],
  refund: [
    'I want a refund for my order',
    'Please give me my money back for the returned item',
    'When will I receive my reimbursement',
    'Ich möchte eine Rückerstattung für meine Bestellung',
    'Bitte erstatten Sie mir das Geld zurück',
  ],
  shipping: [
    'Where is my package, it has not arrived yet',
    'The delivery is late and tracking shows no update',
    'My parcel was lost in transit',
    'Mein Paket ist noch nicht angekommen',
    'Wann wird meine Bestellung geliefert',
  ],
  account: [
    'I cannot log in to my account',
    'How do I reset my password',
    'My account is locked',
    'Ich kann mich nicht in mein Konto einloggen',
    'Passwort vergessen, Zugang gesperrt',
  ],
  technical: [
    'The app crashes when I open it',
    'How do I set up the device and connect it to wifi',
    'I get an error message after the update',
    'Die App stürzt ständig ab',
    'Wie kann ich das Gerät einrichten',
  ],
  legal: [
    'I will take legal action and contact my lawyer',
    'I am going to sue your company in court',
    'This violates data protection law',
    'Ich werde meinen Anwalt einschalten und Klage einreichen',
    'Das verstößt gegen den Datenschutz',
  ],
};

export const CATEGORY_EXEMPLARS: Readonly<Record<TopicalCategory, readonly SparseVector[]>> = {
  billing: EXEMPLARS.billing.map(embed),
  refund: EXEMPLARS.refund.map(embed),
  shipping: EXEMPLARS.shipping.map(embed),
  account: EXEMPLARS.account.map(embed),
  technical: EXEMPLARS.technical.map(embed),
  legal: EXEMPLARS.legal.map(embed),
};

export const TOPICAL_CATEGORIES = Object.keys(CATEGORY_TERMS) as readonly TopicalCategory[];

export const SIGNAL_TERMS = {
  legal_threat: lexicon([
    'lawyer*', 'attorney*', 'sue', 'sue you', 'suing', 'lawsuit*', 'take you to court', 'legal action', 'small claims',
    'anwalt*', 'rechtsanwalt*', 'klage*', 'verklag*', 'gericht*', 'rechtliche schritte', 'avocat*', 'tribunal*', 'abogado*', 'demanda*',
  ]),
  account_closure: lexicon([
    'close my account', 'delete my account', 'cancel my account', 'terminate my account', 'close the account', 'delete the account',
    'konto loschen', 'konto kundigen', 'konto schliessen', 'account loschen', 'account kundigen', 'konto aufl*',
    'fermer mon compte', 'supprimer mon compte', 'cerrar mi cuenta', 'eliminar mi cuenta',
    // the verb first and the possessive between ("löschen Sie mein Kundenkonto"), or the noun first
    'loschen sie mein *konto', 'loschen sie meinen account', 'kundigen sie mein *konto', 'schliessen sie mein *konto',
    'kundenkonto loschen', 'kundenkonto kundigen', 'kundenkonto schliessen', 'mein *konto loschen', 'mein *konto kundigen',
    'fermer le compte', 'supprimer le compte', 'cloturer mon compte', 'cerrar la cuenta', 'dar de baja mi cuenta', 'borrar mi cuenta',
  ]),
  refund_request: lexicon(['refund*', 'money back', 'reimburs*', '*erstatt*', 'geld zuruck', 'rembours*', 'reembols*', 'devolucion*']),
  chargeback_threat: lexicon(['chargeback', 'dispute the charge', 'call my bank', 'contact my bank', 'ruckbuchung', 'lastschrift zuruck*', 'bank zuruck*']),
  urgent: lexicon(['urgent*', 'asap', 'immediately', 'right now', 'emergency', 'dringend*', 'sofort', 'umgehend', 'eilig', 'urgente', 'inmediatamente', 'tout de suite']),
  repeat_contact: lexicon(['again', 'third time', 'second time', 'still not', 'still no', 'already contacted', 'already wrote', 'schon wieder', 'immer noch', 'erneut', 'zum dritten mal', 'encore']),
} as const;

export type Signal = keyof typeof SIGNAL_TERMS;

export const SENTIMENT = {
  negative: lexicon([
    'angry', 'furious', 'terrible', 'awful', 'horrible', 'worst', 'unacceptable', 'disappoint*', 'frustrat*', 'annoy*', 'ridiculous', 'useless', 'scam', 'hate', 'upset', 'poor', 'bad', 'outrageous', 'never again',
    'wutend', 'verargert', 'enttausch*', 'unverschamt*', 'katastroph*', 'schlecht*', 'frech*', 'argerlich', 'inakzeptabel', 'schrecklich', 'nervig', 'sauer', 'betrug',
    'decu*', 'inacceptable', 'furieux', 'enfadado', 'inaceptable', 'pesimo',
  ]),
  positive: lexicon([
    'thank*', 'great', 'love', 'excellent', 'happy', 'awesome', 'appreciat*', 'perfect', 'wonderful', 'helpful', 'pleased',
    'danke*', 'vielen dank', 'besten dank', 'super', 'toll', 'prima', 'zufrieden', 'hervorragend', 'perfekt', 'merci', 'parfait', 'genial', 'gracias', 'excelente',
  ]),
  /** A negated positive word counts as negative ("not happy"), and not as positive. */
  negatedPositive: lexicon([
    'not happy', 'not satisfied', 'not pleased', 'not great', 'not good', 'not helpful', 'not perfect', 'no help',
    'nicht zufrieden', 'unzufrieden', 'nicht gut', 'nicht toll', 'keine hilfe', 'pas content', 'pas satisfait', 'no estoy contento',
  ]),
} as const;

export const HOW_TO = lexicon(['how do i', 'how can i', 'how to', 'is it possible', 'can i', 'wie kann ich', 'wie funktioniert', 'kann ich', 'comment', 'como puedo']);
