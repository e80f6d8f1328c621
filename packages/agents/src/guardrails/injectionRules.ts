import type { InjectionText } from './injectionText.js';

/**
 * The rules of the prompt-injection detector that read the text's wording: an attempt to replace
 * the assistant's instructions or role, to read its system prompt, an instruction addressed to the
 * assistant inside the ticket, a request to skip the human approval, and chat role markers. Each
 * phrase is written against the normalised word form (lower case, no accents, one space between
 * words, ` . ` at a sentence end) in en, de, fr and es.
 *
 * Where a phrase is also ordinary support language, a rule asks for what makes it an attack:
 * "ignore" needs the assistant's instructions as its object ("ignore my last e-mail" and "ignore
 * my previous instructions about the delivery" pass); "act as" needs a role after it ("act as
 * soon as possible" passes); "developer mode" needs the assistant to be put in it ("how do I
 * enable developer mode on the app?" passes); "instructions" alone is never enough (product
 * instructions are ordinary tickets).
 */
export interface InjectionRule {
  readonly name: string;
  matches(text: InjectionText): boolean;
}

const L = String.raw`(?<![\p{L}\p{N}])`;
const R = String.raw`(?![\p{L}\p{N}])`;

/** A phrase over the word form: a sentence end may fall between any two of its words. */
export function phrase(source: string): RegExp {
  return new RegExp(`${L}(?:${source.replaceAll(' ', String.raw`(?: \.)? `)})${R}`, 'u');
}

export const alternatives = (words: readonly string[]): string => words.join('|');

/** Matches when any phrase matches either word form of the text. */
export function phraseRule(name: string, sources: readonly string[]): InjectionRule {
  const patterns = sources.map(phrase);
  return { name, matches: (text) => text.variants.some((words) => patterns.some((pattern) => pattern.test(words))) };
}

const OVERRIDE_VERB = alternatives([
  'ignore|disregard|forget|override|bypass|skip|drop|abandon|discard',
  'ignorier(?:e|t|en)?|vergiss|vergesst|vergessen sie|missachte|missachtet|missachten sie|uberschreibe|verwirf|verwerfe',
  'ignorez|ignorer|oublie|oubliez|oublier|ne tiens pas compte|ne tenez pas compte|fais abstraction|faites abstraction',
  'ignora|ignoren|ignorar|olvida|olvide|olviden|olvidar|omite|omita|descarta|descarte|pasa por alto|no hagas caso',
]);
const RULES_NOUN = alternatives([
  'instructions?|prompts?|rules|guidelines|directives?|directions|constraints|restrictions|programming|guardrails|system prompt',
  'anweisungen|anweisung|instruktionen|regeln|vorgaben|befehle|richtlinien|einschrankungen|beschrankungen|systemprompt',
  'consignes|regles|ordres',
  'instrucciones|reglas|indicaciones|directrices|ordenes|restricciones|normas',
]);
/** What makes "the instructions" the assistant's: their place before this message, or "your", "all". */
const RULES_OWNER = new RegExp(
  `^(?:${alternatives([
    'previous|prior|above|earlier|preceding|foregoing|former|original|initial|system|developer|safety|existing|hidden|all|your|any|every',
    'vorherigen|vorigen|bisherigen|obigen|fruheren|ursprunglichen|alle|allen|deine|deinen|eure|samtliche|jegliche',
    'precedentes|anterieures|initiales|originales|toutes|tous|tes|vos',
    'anteriores|previas|iniciales|todas|todos|tus',
  ])})$`,
  'u',
);
const SELF = /^(?:my|our|mein|meine|meinen|meiner|unsere|unser|mon|ma|mes|notre|nos|mi|mis|nuestras|nuestros)$/u;
/** Instructions that belong to a product, not to the assistant. */
const PRODUCT = /^(?:manual|leaflet|box|package|packaging|guide|booklet|app|device|handbuch|anleitung|verpackung|beipackzettel|notice|manuel|emballage|guia|folleto|caja|montage|assembly|aufbau|montaje)$/u;

const OVERRIDE = new RegExp(`${L}(?:${OVERRIDE_VERB})${R}`, 'gu');
const NOUN = new RegExp(`^(?:${RULES_NOUN})$`, 'u');

/**
 * "ignore all previous instructions", "vergiss deine Regeln", "oublie tes consignes", "olvida
 * todas tus instrucciones anteriores": an override verb, then within five words the assistant's
 * instructions (owned: previous, all, your… before the noun, or right after it as French and
 * Spanish place them), not the customer's own ("my previous instructions") nor a product's.
 */
function overridesInstructions(words: string): boolean {
  for (const match of words.matchAll(OVERRIDE)) {
    const following = words.slice(match.index + match[0].length).trim().split(' ').slice(0, 8);
    const nounAt = following.findIndex((word, index) => index <= 5 && NOUN.test(word));
    if (nounAt < 0) continue;
    const before = following.slice(0, nounAt);
    const after = following.slice(nounAt + 1, nounAt + 4);
    if (before.includes('.') || before.some((word) => SELF.test(word))) continue;
    if (after.some((word) => PRODUCT.test(word))) continue;
    if ([...before, ...after.slice(0, 2)].some((word) => RULES_OWNER.test(word))) return true;
  }
  return false;
}

const overrideAbove = phraseRule('instruction_override', [
  '(?:ignore|disregard|forget) (?:all |everything |anything )?(?:of )?(?:the |what s |what is |what was )?(?:above|foregoing|before this|said before|you were told|you have been told|you ve been told)',
  '(?:vergiss|ignoriere|ignorier|missachte) (?:alles )?(?:bisherige|vorherige|obige|oben stehende|davor|was (?:du|dir) (?:vorher |bisher )?(?:gesagt|aufgetragen))',
  '(?:oublie|oubliez|ignore|ignorez) (?:tout )?(?:ce qui precede|ce qui est au dessus|ce qu on t a dit)',
  '(?:olvida|olvide|ignora|ignore) (?:todo )?lo (?:anterior|que te (?:dijeron|han dicho))',
]);

const instructionOverride: InjectionRule = {
  name: 'instruction_override',
  matches: (text) => text.variants.some((words) => overridesInstructions(words)) || overrideAbove.matches(text),
};

const AI = 'assistant|ai|bot|chatbot|model|agent|admin|administrator|hacker|system|persona|character|version|llm|gpt|terminal|shell|developer';
const LIMITS = alternatives([
  'restrictions?|rules|limits|limitations|filters?|guidelines|censorship|boundaries',
  'einschrankungen|regeln|grenzen|beschrankungen|restricciones|reglas|limites|limitaciones|filtros|regles|filtres',
]);

const roleOverride = phraseRule('role_override', [
  // en
  `you (?:are|re) now (?:an?|the|my|your) (?:\\S+ ){0,3}(?:${AI})`,
  'you (?:are|re) now (?:in )?(?:\\S+ )?mode',
  'you (?:are|re) now (?:dan|free|unrestricted|jailbroken|unfiltered|uncensored|unchained|liberated|evil|no longer)',
  'you (?:are|re) no longer (?:an?|bound|restricted|limited|required|constrained)',
  'from now on (?:you (?:are|re|act|no longer|will act|will be)|act as|pretend)',
  `(?:pretend|imagine) (?:to be|you are|you re|that you are|that you re|being) (?:an?|the|my) (?:\\S+ ){0,3}(?:${AI}|human)`,
  '(?:roleplay|role play) as',
  'play the (?:role|part) of (?:an?|the|my)',
  '(?:^|\\.) (?:now )?act as (?:an?|my|the|dan|(?:if|though) you)',
  '^act as (?:an?|my|the|dan|(?:if|though) you)',
  '(?:i want you to|i need you to|you will|you must|you shall|you now|you re going to|you are going to|you should now) act as (?:an?|if|though|my|the)',
  'you (?:are|re)(?: now)? (?:in )?(?:developer|dev|god|jailbreak|dan|sudo|unrestricted|admin|debug) mode',
  '(?:developer|god|jailbreak|dan|sudo|unrestricted) mode (?:enabled|activated|engaged|on \\.|on$)',
  '(?:enable|activate|enter|switch to|switch into|turn on) (?:god|jailbreak|dan|sudo|unrestricted) mode',
  'do anything now',
  `(?:ai|assistant|bot|chatbot|model|llm|assistent|asistente|ia|ki)(?: \\S+){0,3} (?:with no|without|with no more|ohne|sans|sin|free of|free from) (?:any |jegliche |aucune |ninguna |ningun |toute )?(?:${LIMITS})`,
  // de
  'du bist (?:jetzt|nun|ab sofort|von nun an|ab jetzt) (?:ein|eine|einen|im|mein|meine|kein|keine)',
  '(?:ab jetzt|ab sofort|von nun an|ab heute) (?:bist du|handelst du|antwortest du|verhaltst du dich|spielst du)',
  'tu so als (?:ob|warst|ware)',
  'spiele? (?:die|eine) rolle',
  'verhalte dich (?:wie|als) (?:ein|eine|der|die)',
  'agiere als',
  '(?:du bist (?:jetzt |nun )?im|aktiviere (?:den )?) (?:\\S+ )?(?:entwicklermodus|gottmodus|adminmodus|modus)',
  // fr
  '(?:tu es|vous etes) (?:maintenant|desormais|a present|dorenavant) (?:un|une|le|la|mon|ma|en mode)',
  '(?:a partir de maintenant|desormais|dorenavant|des maintenant) (?:tu (?:es|seras|agis|n as plus|n es plus|vas agir|joues)|vous (?:etes|serez|agissez|n avez plus))',
  '(?:fais|faites) comme si (?:tu|vous)',
  '(?:joue|jouez) le role d',
  '(?:agis|agissez) (?:comme|en tant que) (?:un|une|si|le|la|mon)',
  '(?:tu es (?:maintenant |desormais )?en|passe en|active le|activez le) mode',
  // es
  '(?:ahora|a partir de ahora|desde ahora|de ahora en adelante) (?:tu )?eres (?:un|una|el|la|mi)',
  '(?:a partir de ahora|desde ahora|de ahora en adelante) (?:vas a (?:actuar|ser|responder)|actuaras|responderas|ya no|seras|tu eres)',
  '(?:actua|actue|actuen) como (?:un|una|si|el|la|mi)',
  '(?:finge|finja|imagina) (?:que eres|ser)',
  'haz (?:como si|de cuenta que)',
  '(?:estas (?:ahora )?en|activa el|entra en el|entras en) modo',
]);

const EXTRACT = alternatives([
  'print|reveal|show|tell|give|repeat|output|display|list|write|share|disclose|leak|dump|paste|copy|recite|what|whats|send|expose|translate|summarize|summarise',
  'zeig|zeige|gib|nenne|wiederhol|wiederhole|schreib|schreibe|verrat|verrate|kopier|kopiere|sag|sage',
  'affiche|montre|donne|revele|repete|recopie|ecris|dis|imprime|copie|envoie|traduis|resume|quel|quelles',
  'muestra|muestrame|dime|revela|repite|escribe|copia|dame|ensena|ensename|cual|cuales|traduce',
]);
const SYSTEM_PROMPT = alternatives([
  'system ?prompt|system message|system instructions|system rules|pre ?prompt|initial prompt|hidden prompt|original prompt|developer (?:message|instructions|prompt)',
  'prompt (?:systeme|du systeme|del sistema|de sistema|interne|initial)|(?:instructions|consignes) (?:systeme|du systeme|internes)',
  'instrucciones (?:del sistema|internas|iniciales)|systemanweisungen?|systemnachricht|internen? anweisungen',
]);
const STRONG_EXTRACT = alternatives([
  'print|reveal|repeat|recite|output|dump|disclose|leak|regurgitate|expose|paste|spell out|reproduce',
  'verrate|verrat|wiederhole|wiederhol|kopiere|gib aus|zeig|zeige|revele|repete|recopie|affiche|montre|revela|repite|copia|imprime|muestrame|muestra',
]);
const YOUR = 'your|deine|deinen|dein|ton|ta|tes|tus|tu';
const PROMPT_NOUN = alternatives([
  'prompt|instructions|rules|guidelines|directives|configuration|programming|setup',
  'anweisungen|regeln|instruktionen|vorgaben|richtlinien|consignes|regles|instrucciones|reglas|indicaciones|directrices',
]);
const HIDDEN = alternatives([
  'hidden|secret|internal|confidential|underlying',
  'verborgenen|versteckten|geheimen|internen|cachees|secretes|internes|confidentielles|ocultas|secretas|internas|confidenciales',
]);
const VERBATIM = phrase('word for word|verbatim|wortwortlich|wort fur wort|mot pour mot|mot a mot|textuellement|palabra por palabra|al pie de la letra|textualmente');

const extractionPhrases = phraseRule('system_prompt_extraction', [
  `(?:${EXTRACT})(?: \\S+){0,6} (?:${SYSTEM_PROMPT})`,
  `(?:${STRONG_EXTRACT})(?: me| mir| moi| nos)? (?:all |alle |toutes |todas )?(?:of )?(?:${YOUR})(?: \\S+){0,2} (?:${PROMPT_NOUN})`,
  `(?:${EXTRACT})(?: \\S+){0,3} (?:${HIDDEN})(?: \\S+)? (?:${PROMPT_NOUN})`,
  `(?:${EXTRACT})(?: \\S+){0,3} (?:${PROMPT_NOUN}) (?:${HIDDEN})`,
  '(?:repeat|print|copy|output|recite|reproduce|show|write out|write|tell me|give me|list) (?:me )?(?:everything|all|anything|the text|the words|the message|the lines|whatever|what is|what s|what was|all the text)(?: \\S+){0,2} (?:above|before this|preceding|prior to this|earlier in this conversation)',
  '(?:wiederhole|wiederhol|kopiere|schreib|gib) (?:\\S+ ){0,3}(?:alles|den text) (?:\\S+ ){0,2}(?:oberhalb|uber dieser|davor|vor dieser)',
  '(?:repete|recopie|ecris|affiche) (?:moi )?(?:tout )?(?:ce qui (?:precede|est au dessus|est ecrit au dessus)|le texte (?:au dessus|precedent|ci dessus))',
  '(?:repite|copia|escribe|muestra|muestrame) (?:todo )?(?:lo (?:anterior|que esta (?:arriba|antes))|el texto (?:anterior|de arriba))',
]);
const EXTRACT_ANY_PROMPT = phrase(`(?:${EXTRACT})(?: \\S+){0,8} (?:${PROMPT_NOUN}|${SYSTEM_PROMPT})`);

/** "…your instructions, word for word": a verbatim copy of the assistant's rules. */
const verbatimCopy = (words: string): boolean => VERBATIM.test(words) && EXTRACT_ANY_PROMPT.test(words);

const systemPromptExtraction: InjectionRule = {
  name: 'system_prompt_extraction',
  matches: (text) => extractionPhrases.matches(text) || text.variants.some(verbatimCopy),
};

const embeddedInstruction = phraseRule('embedded_instruction', [
  '(?:note|message|instructions?|memo|directive|order|command|reminder|notice) (?:to|for) (?:the |all )?(?:assistant|ai|ai assistant|ai agent|bot|chatbot|model|llm|gpt|language model|support bot|system)',
  '(?:anweisung|anweisungen|hinweis|nachricht|notiz|befehl|auftrag) (?:an|fur) (?:den|die|das) (?:assistenten|assistent|assistentin|ki|bot|chatbot|modell|system|sprachmodell)',
  '(?:instruction|instructions|consigne|consignes|note|message|ordre|directive) (?:a|pour|au|aux) (?:l |le |la |les )?(?:assistant|assistante|ia|bot|chatbot|modele|systeme)',
  '(?:instruccion|instrucciones|nota|mensaje|orden|directiva) (?:para|al|a la|a los) (?:el |la )?(?:asistente|ia|bot|chatbot|modelo|sistema)',
]);

const approvalBypass = phraseRule('approval_bypass', [
  '(?:approve|approved|issue|process|grant|execute|refund|mark|send|pay|transfer|close)(?: \\S+){0,10} (?:without|bypassing|skipping|no need for|with no) (?:any |an |the |a )?(?:escalation|escalating|human review|supervisor|supervision|manager s approval|manager approval|human approval)',
  '(?:do not|don t|dont|never) (?:escalate|mention (?:this|the) (?:note|message|instruction|instructions)|involve a (?:human|supervisor))',
  'ohne (?:genehmigung|freigabe|eskalation|eskalierung|menschliche prufung)',
  '(?:nicht|keinesfalls) eskalieren',
  '(?:erwahne|erwahnen sie) (?:diese|den) (?:notiz|hinweis|nachricht|anweisung) nicht',
  'sans (?:escalade|escalader|validation|approbation|supervision|intervention humaine|en referer)',
  '(?:n en parle|ne le dis|ne dis rien) a personne',
  'ne (?:mentionne|mentionnez) pas (?:cette|ce) (?:note|message|consigne)',
  'sin (?:escalar|escalamiento|escalado|aprobacion|autorizacion|supervision|revision humana)',
  '(?:no se lo digas|no lo digas|no le digas|no se lo cuentes|no lo menciones) a nadie',
  'no (?:menciones|mencionar) (?:esta|este) (?:nota|mensaje|instruccion)',
]);

/** Chat-template and role markers as written (punctuation matters here, so the marked form is read). */
const ROLE_MARKERS: readonly RegExp[] = [
  /<\|[a-z_]{2,30}\|>/u,
  /\[\/?(?:inst|sys|system|assistant|user)\]/u,
  /<<\/?sys>>/u,
  /<\/?(?:system|assistant|user|instructions?|prompt|im_start|im_end)>/u,
  /#{2,}\s*(?:new\s+)?(?:instructions?|system|response|input|prompt|assistant|user|anweisung(?:en)?|consignes?|instrucciones?)(?![\p{L}\p{N}])/u,
  // `system:` opening a line, unless it is a device's operating system in a bug report.
  /(?:^|\n)\s*(?:system|assistant|developer|sistema|systeme|asistente|assistent)(?:\s+(?:note|message|prompt|instructions?|override|notice))?\s*:(?!\s*(?:windows|win\b|macos|mac\b|os\b|osx|ios|ipados|android|linux|ubuntu|debian|fedora|chrome|harmony|\d))/u,
  // A made-up dialogue: a user turn followed by an assistant turn.
  /(?:^|\n)\s*(?:human|user)\s*:[^\n]*\n+\s*(?:assistant|ai)\s*:/u,
];

const roleMarker: InjectionRule = { name: 'role_marker', matches: (text) => ROLE_MARKERS.some((marker) => marker.test(text.marked)) };

export const WORDING_RULES: readonly InjectionRule[] = [instructionOverride, roleOverride, systemPromptExtraction, embeddedInstruction, approvalBypass, roleMarker];
