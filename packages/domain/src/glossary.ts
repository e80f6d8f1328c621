/**
 * A small glossary of support vocabulary, German, French and Spanish to English, for the offline
 * stack (the hashing embedder and the offline model): with it, a question asked in another
 * language finds and quotes an English knowledge base, which a multilingual model does without
 * help. A word matches an entry when it starts with the entry's prefix (the whole word when the
 * entry ends in `=`, for prefixes that begin English words too); an entry with a space matches
 * that phrase. Words are normalised first: lower case, no diacritics, `ß` as `ss`. It
 * covers the words support questions are made of, not the languages.
 */
export const SUPPORT_GLOSSARY: readonly (readonly [prefix: string, english: string])[] = [
  // accounts and sign-in
  ['passwort', 'password'], ['kennwort', 'password'], ['passe=', 'password'], ['contrasen', 'password'],
  ['konto', 'account'], ['kundenkonto', 'account'], ['compte', 'account'], ['cuenta', 'account'],
  ['anmeld', 'sign in'], ['einlog', 'sign in'], ['connexion', 'sign in'], ['connecter', 'sign in'], ['iniciar', 'sign in'], ['sesion', 'sign in'],
  ['gesperrt', 'locked'], ['sperr', 'locked'], ['bloque', 'locked'], ['bloquead', 'locked'],
  ['zuruecksetz', 'reset'], ['zurucksetz', 'reset'], ['reinitialis', 'reset'], ['restablec', 'reset'],
  ['vergessen', 'forgot'], ['oublie', 'forgot'], ['olvid', 'forgot'],
  ['zwei', 'two-factor'], ['authentifi', 'authentication'], ['autentica', 'authentication'],
  ['benutzer', 'user'], ['utilisateur', 'user'], ['usuario', 'user'],
  ['loschen', 'delete close'], ['schliess', 'close'], ['kundig', 'cancel close'], ['fermer', 'close'], ['supprim', 'delete'], ['cerrar', 'close'], ['eliminar', 'delete'], ['borrar', 'delete'],
  ['andern', 'change'], ['aender', 'change'], ['umstell', 'change switch'], ['changer', 'change'], ['modifi', 'change'], ['cambiar', 'change'], ['cambio', 'change'],
  ['adresse', 'address'], ['direccion', 'address'],
  ['daten', 'data'], ['donnees', 'data'], ['datos', 'data'], ['datenschutz', 'privacy data'], ['confidential', 'privacy'], ['privacidad', 'privacy'],
  // orders, shipping, returns
  ['bestell', 'order'], ['commande', 'order'], ['pedido', 'order'],
  ['liefer', 'delivery'], ['livraison', 'delivery'], ['livre=', 'delivered'], ['entreg', 'delivery'],
  ['versand', 'shipping'], ['expedi', 'shipping'], ['envio', 'shipping'], ['enviad', 'shipped'],
  ['paket', 'parcel package'], ['colis', 'parcel package'], ['paquete', 'parcel package'],
  ['sendungsverfolg', 'tracking'], ['verfolg', 'tracking'], ['suivi', 'tracking'], ['seguimiento', 'tracking'], ['rastre', 'tracking'],
  ['angekommen', 'arrived'], ['erhalten', 'received'], ['recu=', 'received'], ['recibid', 'received'], ['llegado', 'arrived'], ['arrive', 'arrived'],
  ['beschadig', 'damaged'], ['kaputt', 'damaged broken'], ['endommag', 'damaged'], ['abime', 'damaged'], ['casse', 'broken damaged'], ['danad', 'damaged'], ['roto=', 'broken damaged'],
  ['rucksend', 'return'], ['retoure', 'return'], ['zuruckschick', 'return'], ['retour', 'return'], ['devolu', 'return'], ['devolver', 'return'],
  ['umtausch', 'exchange'], ['echange', 'exchange'], ['cambiar', 'exchange'],
  ['artikel', 'item'], ['produkt', 'product item'], ['produit', 'product item'], ['producto', 'product item'],
  ['falsch', 'wrong'], ['mauvais', 'wrong'], ['incorrect', 'wrong'], ['equivocad', 'wrong'],
  ['verspat', 'late delay'], ['retard', 'late delay'], ['retras', 'late delay'],
  ['lieferzeit', 'delivery times'], ['delai', 'delivery times'], ['plazo', 'delivery times'],
  // money
  ['rechnung', 'invoice'], ['facture', 'invoice'], ['factura', 'invoice'],
  ['zahlung', 'payment'], ['bezahl', 'payment paid'], ['paiement', 'payment'], ['payer', 'payment pay'], ['pago=', 'payment'], ['pagar', 'payment pay'],
  ['zahlungsart', 'payment methods'], ['zahlungsmethod', 'payment methods'], ['moyen', 'payment methods'], ['metodo', 'payment methods'],
  ['karte', 'card'], ['kreditkarte', 'credit card'], ['carte=', 'card'], ['tarjeta', 'card'],
  ['abgelehnt', 'declined'], ['refuse', 'declined'], ['rechazad', 'declined'],
  ['erstatt', 'refund'], ['rembours', 'refund'], ['reembols', 'refund'],
  ['abbuch', 'charged'], ['abgebucht', 'charged'], ['preleve', 'charged'], ['debite', 'charged'], ['cobrad', 'charged'], ['cobro=', 'charged'],
  ['doppelt', 'twice duplicate'], ['deux fois', 'twice'], ['dos veces', 'twice'], ['double=', 'duplicate'], ['duplicad', 'duplicate'],
  ['abo=', 'subscription'], ['abonnement', 'subscription'], ['suscripci', 'subscription'],
  ['tarif', 'plan'], ['formule', 'plan'],
  ['kundig', 'cancel'], ['annul', 'cancel'], ['resili', 'cancel'],
  ['preis', 'price'], ['prix', 'price'], ['precio', 'price'],
  ['mehrwertsteuer', 'vat'], ['tva=', 'vat'], ['iva=', 'vat'],
  ['lastschrift', 'direct debit'], ['prelevement', 'direct debit'], ['domiciliaci', 'direct debit'],
  ['uberweis', 'bank transfer'], ['virement', 'bank transfer'], ['transferencia', 'bank transfer'],
  // devices and apps
  ['absturz', 'crash'], ['sturzt', 'crash'], ['plante=', 'crash'], ['bloquea', 'crash'], ['cierra', 'crash'],
  ['fehler', 'error'], ['erreur', 'error'],
  ['aktualis', 'update'], ['mise a jour', 'update'], ['actualiz', 'update'],
  ['installier', 'install'], ['instalar', 'install'],
  ['verbind', 'connect'], ['conectar', 'connect'], ['conexion', 'connection'],
  ['gerat', 'device'], ['appareil', 'device'], ['dispositiv', 'device'],
  ['einricht', 'set up'], ['configur', 'set up configure'],
  ['synchronis', 'sync'], ['sincroniz', 'sync'],
  ['benachrichtig', 'notifications'], ['notificaci', 'notifications'],
  ['telefon', 'phone'], ['handy', 'phone'], ['telephone', 'phone'], ['movil', 'phone'],
  // people and contact
  ['mitarbeiter', 'human agent'], ['mensch', 'human agent'], ['humain', 'human agent'], ['conseiller', 'human agent'], ['persona=', 'human agent'], ['agente', 'human agent'],
  ['erreich', 'contact'], ['kontakt', 'contact'], ['contacter', 'contact'], ['contactar', 'contact'],
  ['offnungszeit', 'support hours'], ['horaire', 'support hours'], ['horario', 'support hours'],
];

const normalise = (text: string) => text.toLowerCase().replace(/ß/g, 'ss').normalize('NFKD').replace(/\p{M}/gu, '');

/** The English words that the words of `text` translate to, in order of appearance (none for English text). */
export function englishTerms(text: string): string[] {
  const tokens = normalise(text).replace(/[’']/g, ' ').split(/[^\p{L}\p{N}]+/u).filter((token) => token.length > 0);
  const joined = ` ${tokens.join(' ')} `;
  const found: string[] = [];
  for (const token of tokens) {
    if (token.length < 3) continue;
    for (const [prefix, english] of SUPPORT_GLOSSARY) {
      if (prefix.includes(' ')) continue;
      const matches = prefix.endsWith('=') ? token === prefix.slice(0, -1) : token.startsWith(prefix);
      if (matches) found.push(...english.split(' '));
    }
  }
  for (const [prefix, english] of SUPPORT_GLOSSARY) {
    if (prefix.includes(' ') && joined.includes(` ${prefix} `)) found.push(...english.split(' '));
  }
  return found;
}
