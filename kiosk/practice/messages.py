"""Plain-language messages of the practice engine (French source).

Every message says what is wrong and how to fix it, in words a person with little digital
experience understands. The French source is marked with ``N_`` for extraction; the English
and Arabic translations live in the kiosk's gettext catalogues
(``kiosk/locale/<lang>/LC_MESSAGES/kiosk.po``) with every other string of the kiosk, so a
translator has one place to work, and a test fails when one is missing.
A procedure may override any message for one field (``errors:`` in the procedure file, with its
own inline translations like the rest of the procedure).
"""
from __future__ import annotations

from kiosk.i18n import N_, Nn_
from kiosk.practice.text import CataloguePlural, CatalogueText, Text
from kiosk.practice.validators import Problem


def _m(fr: str) -> CatalogueText:
    return CatalogueText(fr)


def _p(forms: tuple[str, str]) -> CataloguePlural:
    return CataloguePlural(forms[0], plural=forms[1])


MESSAGES: dict[str, Text] = {
    "required": _m(N_("Cette case est obligatoire : remplissez-la avant de continuer.")),
    # NIR
    "nir.first_digit": _m(N_("Le numéro de sécurité sociale commence par 1 (homme) ou 2 "
                             "(femme).")),
    "nir.length": _m(N_("Le numéro de sécurité sociale a 15 caractères (13 + la clé de 2 "
                        "chiffres). Vous en avez tapé {count}.")),
    "nir.format": _m(N_("Ce numéro de sécurité sociale n'a pas la bonne forme : recopiez-le "
                        "chiffre par chiffre depuis la carte Vitale.")),
    "nir.month": _m(N_("Les chiffres 4 et 5 du numéro sont le mois de naissance : vérifiez-les.")),
    "nir.key": _m(N_("La clé (les 2 derniers chiffres) ne correspond pas au numéro : un "
                     "chiffre est sans doute mal recopié.")),
    # DGFiP
    "numero_fiscal.length": _m(N_("Le numéro fiscal a 13 chiffres. Vous en avez tapé {count}. "
                                  "Il est en haut de votre avis d'impôt.")),
    "numero_fiscal.first_digit": _m(N_("Le numéro fiscal commence par 0, 1, 2 ou 3 : vérifiez "
                                       "le premier chiffre.")),
    "numero_acces.format": _m(N_("Le numéro d'accès en ligne a 7 caractères (chiffres et "
                                 "lettres). Vous en avez tapé {count}.")),
    # IBAN
    "iban.country": _m(N_("Un IBAN français commence par les lettres FR.")),
    "iban.length": _m(N_("Un IBAN français a 27 caractères. Vous en avez tapé {count} : "
                         "recopiez-le depuis votre RIB.")),
    "iban.format": _m(N_("Cet IBAN contient un caractère inattendu : après FR, il n'y a que "
                         "des chiffres, sauf parfois dans le numéro de compte.")),
    "iban.checksum": _m(N_("Cet IBAN n'est pas valide : un caractère est sans doute mal "
                           "recopié. Relisez-le par groupes de 4.")),
    # address, dates, contact
    "postal_code.format": _m(N_("Le code postal a 5 chiffres, par exemple 69003.")),
    "postal_code.unknown": _m(N_("Ce code postal n'existe pas : vérifiez les 2 premiers "
                                 "chiffres (le département).")),
    "date.format": _m(N_("Écrivez la date sous la forme JJ/MM/AAAA, avec les barres, par "
                         "exemple 05/03/1984.")),
    "date.month": _m(N_("Le mois doit être entre 01 et 12 : le jour vient en premier, puis le "
                        "mois.")),
    "date.year": _m(N_("L'année s'écrit avec 4 chiffres, par exemple 1984.")),
    "date.not_leap": _m(N_("Il n'y a pas de 29 février en {year} : vérifiez le jour ou l'année.")),
    "date.no_such_day": _m(N_("Cette date n'existe pas : ce mois n'a pas de jour {day}.")),
    "date.future": _m(N_("Cette date est dans le futur : vérifiez l'année.")),
    "date.past": _m(N_("Cette date est déjà passée : choisissez une date à venir.")),
    "email.spaces": _m(N_("Une adresse e-mail ne contient pas d'espace.")),
    "email.at": _m(N_("Une adresse e-mail contient une seule arobase @, par exemple "
                      "nom@exemple.fr.")),
    "email.format": _m(N_("Cette adresse e-mail n'a pas la bonne forme : nom@fournisseur.fr.")),
    "phone.digits": _m(N_("Un numéro de téléphone ne contient que des chiffres.")),
    "phone.format": _m(N_("Un numéro de téléphone français a 10 chiffres et commence par 0, "
                          "par exemple 06 12 34 56 78.")),
    # passwords
    "password.min_length": _m(N_("Le mot de passe doit avoir au moins {n} caractères.")),
    "password.upper": _m(N_("Le mot de passe doit contenir une majuscule (A, B, C…).")),
    "password.lower": _m(N_("Le mot de passe doit contenir une minuscule (a, b, c…).")),
    "password.digit": _m(N_("Le mot de passe doit contenir un chiffre (0 à 9).")),
    "password.special": _m(N_("Le mot de passe doit contenir un caractère spécial, par exemple "
                              "! ou ?")),
    "password.no_spaces": _m(N_("Le mot de passe ne doit pas contenir d'espace.")),
    "password.confirm": _m(N_("Les deux mots de passe ne sont pas identiques : retapez le même "
                              "mot de passe.")),
    # numbers
    "number.format": _m(N_("Tapez un nombre, sans lettre, par exemple 850 ou 850,50.")),
    "number.min": _m(N_("Ce nombre est trop petit : le minimum est {min}.")),
    "number.max": _m(N_("Ce nombre est trop grand : le maximum est {max}.")),
    "digits.format": _m(N_("Tapez {count} chiffres, sans lettre.")),
    # fields
    "persona.mismatch": _m(N_("Ce n'est pas ce qui est écrit sur votre fiche. Touchez « Vos "
                              "informations pour cet exercice » pour la relire.")),
    "expected.mismatch": _m(N_("Ce n'est pas la bonne réponse : relisez la page et essayez "
                               "encore.")),
    "value.almost": _m(N_("Presque ! Un point, un tiret ou un espace est différent : le vrai "
                          "site demande de l'écrire exactement. Comparez avec votre fiche, "
                          "caractère par caractère.")),
    "email.almost": _m(N_("Presque ! Dans une adresse e-mail, chaque point et chaque tiret "
                          "compte : sans eux, c'est l'adresse de quelqu'un d'autre. Recopiez-la "
                          "exactement comme sur votre fiche.")),
    "choice.required": _m(N_("Choisissez une réponse dans la liste.")),
    "choice.unknown": _m(N_("Cette réponse n'est pas dans la liste : choisissez-en une "
                            "proposée.")),
    "consent.required": _m(N_("Cochez la case pour dire que vous êtes d'accord : sinon le site "
                              "ne vous laisse pas continuer.")),
    "document.required": _m(N_("Ajoutez le document demandé : un document scanné ici ou un "
                               "exemple.")),
    "email_code.wrong": _m(N_("Ce code n'est pas celui reçu par e-mail. Ouvrez l'e-mail sur le "
                              "téléphone à l'écran et recopiez les {count} chiffres.")),
    "sms_code.wrong": _m(N_("Ce code n'est pas celui reçu par SMS. Regardez le téléphone à "
                            "l'écran et recopiez les {count} chiffres.")),
    "captcha.wrong": _m(N_("Les caractères ne correspondent pas à l'image. Recopiez-les lettre "
                           "par lettre, en respectant les majuscules.")),
    # the simulated phone
    "sms.code": _m(N_("{operator} : votre code de confirmation est {code}. Ne le communiquez à "
                      "personne.")),
    "email.code": _m(N_("E-mail de {operator} : pour confirmer votre adresse, tapez le code "
                        "{code} sur le site. Il est valable 8 heures. Si vous n'avez rien "
                        "demandé, ignorez ce message.")),
    # traps
    "session.expired": _m(N_("Votre session a expiré : vous êtes resté trop longtemps sans "
                             "rien faire. Sur le vrai site aussi, il faut alors recommencer "
                             "cette étape.")),
    "scam.link": _m(N_("Attention, ce lien était un piège : son adresse imite le site mais ce "
                       "n'est pas lui. Un vrai site administratif ne vous fait jamais payer "
                       "par un lien reçu ou affiché comme ça.")),
    # password rules shown before the field, ticked live
    "rule.min_length": _m(N_("Au moins {n} caractères")),
    "rule.upper": _m(N_("Une majuscule")),
    "rule.lower": _m(N_("Une minuscule")),
    "rule.digit": _m(N_("Un chiffre")),
    "rule.special": _m(N_("Un caractère spécial (! ? # …)")),
    "rule.no_spaces": _m(N_("Pas d'espace")),
    # debrief
    # worded without a past participle: "allé"/"allée" would guess the person's gender
    "debrief.no_error": _m(N_("Vous avez fait toute la démarche sans aucune erreur.")),
    "debrief.completed": _m(N_("Vous avez fait toute la démarche.")),
    "debrief.not_completed": _m(N_("L'exercice s'est arrêté à l'étape {reached} sur {total}. "
                                   "Vous pourrez reprendre une autre fois.")),
    "debrief.no_hint": _m(N_("Vous n'avez eu besoin d'aucune aide.")),
    "debrief.page_ok": _m(N_("Page « {page} » : réussie du premier coup.")),
    "debrief.field_errors": _p(Nn_("Page « {page} », case « {field} » : {count} essai refusé.",
                                   "Page « {page} », case « {field} » : {count} essais "
                                   "refusés.")),
    "debrief.hints": _p(Nn_("Page « {page} » : vous avez demandé {count} aide.",
                            "Page « {page} » : vous avez demandé {count} aides.")),
    # guided mode: hints were shown without being asked, so nobody "asked" for them
    "debrief.guided": _m(N_("Vous avez fait l'exercice avec aide : chaque étape vous était "
                            "montrée, sans avoir à la demander.")),
    "debrief.try_alone": _m(N_("La prochaine fois, essayez « Sans guide » : l'aide ne "
                               "s'affiche que si vous la demandez, comme sur le vrai site.")),
    "debrief.slow": _m(N_("Page « {page} » : vous avez pris du temps ({minutes} min). C'est "
                          "normal au début ; sur le vrai site, préparez les papiers demandés à "
                          "cette étape.")),
    "debrief.expired": _m(N_("Page « {page} » : la session a expiré. Sur le vrai site, "
                             "préparez vos papiers avant de commencer.")),
    "debrief.scam": _m(N_("Page « {page} » : vous avez touché un lien piège. Vérifiez toujours "
                          "l'adresse du site.")),
    "debrief.scam_avoided": _m(N_("Page « {page} » : vous n'avez pas touché le lien piège. "
                                  "Bravo.")),
    # after the debrief: what next
    "next.exercise": _m(N_("Exercice conseillé ensuite : « {title} ».")),
    # after a procedure's short first-timer version (kiosk.practice.variants)
    "next.full_version": _m(N_("Vous avez réussi la version courte. Quand vous vous sentez "
                               "prêt, faites la version complète, avec toutes les pages du "
                               "vrai site : « {title} ».")),
    "short.title": _m(N_("{title} (version courte)")),
    "next.retry": _m(N_("Vous pouvez reprendre cet exercice quand vous voulez : on apprend en "
                        "recommençant.")),
    "next.help_for_real": _m(N_("Pour la vraie démarche, vous n'êtes pas seul : un médiateur "
                                "peut la faire avec vous ici (« Appeler un médiateur »), et un "
                                "aidant habilité Aidants Connect peut la faire pour vous, en "
                                "toute sécurité, si vous le lui confiez.")),
}


def message(problem: Problem | str, lang: str = "fr") -> str:
    """The plain-language sentence for a problem, in ``lang``."""
    if isinstance(problem, str):
        problem = Problem(problem)
    text = MESSAGES.get(problem.key)
    if text is None:  # a programming error, but the resident still gets a usable sentence
        text = MESSAGES["expected.mismatch"]
    return text.format(lang, **dict(problem.params))
