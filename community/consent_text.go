package community

// The consent texts a household is asked to agree to, in plain words, in
// English and Spanish. A text is identified by the SHA-256 hash of its exact
// bytes, so a consent proves which words were shown.
//
// To change a text, add the new wording to consentTextsPublished and mark the
// old entry retired: households that agreed to the old words keep a consent
// that still resolves to them, and new consents use the new words. Never edit
// a published text in place; its hash would no longer match any consent.
var consentTextsPublished = []struct {
	purpose ConsentPurpose
	lang    HouseholdLanguage
	retired bool
	text    string
}{
	{ConsentContact, HouseholdLanguageEnglish, false,
		"Common Ground organizers may call, text or email you about housing, land, " +
			"meetings and money for rebuilding. They use only the phone number and " +
			"email you gave. You can say no, and you can stop this at any time. " +
			"Saying no does not change any help you get."},
	{ConsentContact, HouseholdLanguageSpanish, false,
		"Los organizadores de Common Ground pueden llamarle, enviarle mensajes de " +
			"texto o correos sobre vivienda, terrenos, reuniones y dinero para " +
			"reconstruir. Solo usan el teléfono y el correo que usted dio. Puede decir " +
			"que no, y puede detener esto en cualquier momento. Decir que no no cambia " +
			"ninguna ayuda que reciba."},
	{ConsentMatching, HouseholdLanguageEnglish, false,
		"Common Ground organizers may see your household's record to match you with " +
			"land and with other families who want to build a co-op or a land trust. " +
			"They see where you lived only to about 100 meters, and never your FEMA " +
			"registration number. You can stop this at any time. Saying no does not " +
			"change any help you get."},
	{ConsentMatching, HouseholdLanguageSpanish, false,
		"Los organizadores de Common Ground pueden ver el registro de su hogar para " +
			"conectarle con terrenos y con otras familias que quieren formar una " +
			"cooperativa o un fideicomiso de tierras. Ven dónde vivía solo con una " +
			"precisión de unos 100 metros, y nunca su número de registro de FEMA. " +
			"Puede detener esto en cualquier momento. Decir que no no cambia ninguna " +
			"ayuda que reciba."},
	{ConsentPartnerSharing, HouseholdLanguageEnglish, false,
		"Common Ground may share your household's record with the partner " +
			"organizations named below, so they can help you with housing, legal aid " +
			"or money. Only the organizations you name get it. You can stop this at " +
			"any time, but we cannot take back what a partner already received. " +
			"Saying no does not change any help you get."},
	{ConsentPartnerSharing, HouseholdLanguageSpanish, false,
		"Common Ground puede compartir el registro de su hogar con las " +
			"organizaciones aliadas que se nombran abajo, para que le ayuden con " +
			"vivienda, ayuda legal o dinero. Solo las organizaciones que usted nombre " +
			"lo reciben. Puede detener esto en cualquier momento, pero no podemos " +
			"recuperar lo que una organización ya recibió. Decir que no no cambia " +
			"ninguna ayuda que reciba."},
	{ConsentAggregateStatistics, HouseholdLanguageEnglish, false,
		"Common Ground may count your household, with no name, address or exact " +
			"place, in public numbers and maps that show how many families need homes " +
			"and what they need. Areas with fewer than 5 households are never shown. " +
			"You can stop this at any time. Saying no does not change any help you get."},
	{ConsentAggregateStatistics, HouseholdLanguageSpanish, false,
		"Common Ground puede contar a su hogar, sin nombre, dirección ni lugar " +
			"exacto, en cifras y mapas públicos que muestran cuántas familias necesitan " +
			"vivienda y qué necesitan. Nunca se muestran zonas con menos de 5 hogares. " +
			"Puede detener esto en cualquier momento. Decir que no no cambia ninguna " +
			"ayuda que reciba."},
}
