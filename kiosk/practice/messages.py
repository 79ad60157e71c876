"""Plain-language messages of the practice engine, in French, English and Arabic.

Every message says what is wrong and how to fix it, in words a person with little digital
experience understands. The French source is marked with ``N_`` for extraction; English and
Arabic sit next to it so a missing translation is visible in review and caught by a test.
A procedure may override any message for one field (``errors:`` in the procedure file).
"""
from __future__ import annotations

from kiosk.i18n import N_
from kiosk.practice.text import Text
from kiosk.practice.validators import Problem


def _t(fr: str, en: str, ar: str) -> Text:
    return Text(fr=N_(fr), en=en, ar=ar)


MESSAGES: dict[str, Text] = {
    "required": _t(
        "Cette case est obligatoire : remplissez-la avant de continuer.",
        "This box is required: fill it in before going on.",
        "هذه الخانة إلزامية: املأها قبل المتابعة."),
    # NIR
    "nir.first_digit": _t(
        "Le numéro de sécurité sociale commence par 1 (homme) ou 2 (femme).",
        "The social security number starts with 1 (man) or 2 (woman).",
        "يبدأ رقم الضمان الاجتماعي بـ 1 (رجل) أو 2 (امرأة)."),
    "nir.length": _t(
        "Le numéro de sécurité sociale a 15 caractères (13 + la clé de 2 chiffres). "
        "Vous en avez tapé {count}.",
        "The social security number has 15 characters (13 + the 2-digit key). "
        "You typed {count}.",
        "يتكون رقم الضمان الاجتماعي من 15 خانة (13 + مفتاح من رقمين). كتبت {count}."),
    "nir.format": _t(
        "Ce numéro de sécurité sociale n'a pas la bonne forme : recopiez-le chiffre par chiffre "
        "depuis la carte Vitale.",
        "This social security number does not have the right form: copy it digit by digit "
        "from the Carte Vitale.",
        "شكل رقم الضمان الاجتماعي غير صحيح: انسخه رقمًا رقمًا من بطاقة Vitale."),
    "nir.month": _t(
        "Les chiffres 4 et 5 du numéro sont le mois de naissance : vérifiez-les.",
        "Digits 4 and 5 of the number are the month of birth: check them.",
        "الرقمان 4 و5 هما شهر الولادة: تحقق منهما."),
    "nir.key": _t(
        "La clé (les 2 derniers chiffres) ne correspond pas au numéro : un chiffre est "
        "sans doute mal recopié.",
        "The key (the last 2 digits) does not match the number: a digit was probably "
        "copied wrong.",
        "المفتاح (آخر رقمين) لا يطابق الرقم: ربما نُسخ أحد الأرقام بشكل خاطئ."),
    # DGFiP
    "numero_fiscal.length": _t(
        "Le numéro fiscal a 13 chiffres. Vous en avez tapé {count}. Il est en haut de "
        "votre avis d'impôt.",
        "The tax number has 13 digits. You typed {count}. It is at the top of your tax notice.",
        "الرقم الضريبي يتكون من 13 رقمًا. كتبت {count}. تجده في أعلى إشعار الضريبة."),
    "numero_fiscal.first_digit": _t(
        "Le numéro fiscal commence par 0, 1, 2 ou 3 : vérifiez le premier chiffre.",
        "The tax number starts with 0, 1, 2 or 3: check the first digit.",
        "يبدأ الرقم الضريبي بـ 0 أو 1 أو 2 أو 3: تحقق من الرقم الأول."),
    "numero_acces.format": _t(
        "Le numéro d'accès en ligne a 7 caractères (chiffres et lettres). Vous en avez tapé "
        "{count}.",
        "The online access number has 7 characters (digits and letters). You typed {count}.",
        "رقم الدخول عبر الإنترنت يتكون من 7 خانات (أرقام وحروف). كتبت {count}."),
    # IBAN
    "iban.country": _t(
        "Un IBAN français commence par les lettres FR.",
        "A French IBAN starts with the letters FR.",
        "يبدأ رقم IBAN الفرنسي بالحرفين FR."),
    "iban.length": _t(
        "Un IBAN français a 27 caractères. Vous en avez tapé {count} : recopiez-le depuis "
        "votre RIB.",
        "A French IBAN has 27 characters. You typed {count}: copy it from your bank details (RIB).",
        "يتكون رقم IBAN الفرنسي من 27 خانة. كتبت {count}: انسخه من كشف الهوية البنكية (RIB)."),
    "iban.format": _t(
        "Cet IBAN contient un caractère inattendu : après FR, il n'y a que des chiffres, sauf "
        "parfois dans le numéro de compte.",
        "This IBAN has an unexpected character: after FR there are only digits, except "
        "sometimes in the account number.",
        "يحتوي رقم IBAN على حرف غير متوقع: بعد FR توجد أرقام فقط، إلا أحيانًا في رقم الحساب."),
    "iban.checksum": _t(
        "Cet IBAN n'est pas valide : un caractère est sans doute mal recopié. Relisez-le par "
        "groupes de 4.",
        "This IBAN is not valid: a character was probably copied wrong. Read it again in "
        "groups of 4.",
        "رقم IBAN هذا غير صالح: ربما نُسخت خانة بشكل خاطئ. أعد قراءته في مجموعات من 4."),
    # address, dates, contact
    "postal_code.format": _t(
        "Le code postal a 5 chiffres, par exemple 69003.",
        "The postcode has 5 digits, for example 69003.",
        "الرمز البريدي يتكون من 5 أرقام، مثلًا 69003."),
    "postal_code.unknown": _t(
        "Ce code postal n'existe pas : vérifiez les 2 premiers chiffres (le département).",
        "This postcode does not exist: check the first 2 digits (the département).",
        "هذا الرمز البريدي غير موجود: تحقق من أول رقمين (المقاطعة)."),
    "date.format": _t(
        "Écrivez la date sous la forme JJ/MM/AAAA, avec les barres, par exemple 05/03/1984.",
        "Write the date as DD/MM/YYYY, with the slashes, for example 05/03/1984.",
        "اكتب التاريخ بالشكل يوم/شهر/سنة (JJ/MM/AAAA) مع الخطوط المائلة، مثلًا 05/03/1984."),
    "date.month": _t(
        "Le mois doit être entre 01 et 12 : le jour vient en premier, puis le mois.",
        "The month must be between 01 and 12: the day comes first, then the month.",
        "يجب أن يكون الشهر بين 01 و12: اليوم أولًا ثم الشهر."),
    "date.year": _t(
        "L'année s'écrit avec 4 chiffres, par exemple 1984.",
        "The year is written with 4 digits, for example 1984.",
        "تُكتب السنة بأربعة أرقام، مثلًا 1984."),
    "date.not_leap": _t(
        "Il n'y a pas de 29 février en {year} : vérifiez le jour ou l'année.",
        "There is no 29 February in {year}: check the day or the year.",
        "لا يوجد 29 فبراير في سنة {year}: تحقق من اليوم أو السنة."),
    "date.no_such_day": _t(
        "Cette date n'existe pas : ce mois n'a pas de jour {day}.",
        "This date does not exist: that month has no day {day}.",
        "هذا التاريخ غير موجود: هذا الشهر ليس فيه اليوم {day}."),
    "date.future": _t(
        "Cette date est dans le futur : vérifiez l'année.",
        "This date is in the future: check the year.",
        "هذا التاريخ في المستقبل: تحقق من السنة."),
    "date.past": _t(
        "Cette date est déjà passée : choisissez une date à venir.",
        "This date has already passed: choose a date to come.",
        "هذا التاريخ قد مضى: اختر تاريخًا قادمًا."),
    "email.spaces": _t(
        "Une adresse e-mail ne contient pas d'espace.",
        "An e-mail address has no spaces.",
        "لا يحتوي عنوان البريد الإلكتروني على مسافات."),
    "email.at": _t(
        "Une adresse e-mail contient une seule arobase @, par exemple nom@exemple.fr.",
        "An e-mail address has exactly one @, for example name@example.fr.",
        "يحتوي عنوان البريد الإلكتروني على علامة @ واحدة، مثلًا name@example.fr."),
    "email.format": _t(
        "Cette adresse e-mail n'a pas la bonne forme : nom@fournisseur.fr.",
        "This e-mail address does not have the right form: name@provider.fr.",
        "شكل عنوان البريد الإلكتروني غير صحيح: name@provider.fr."),
    "phone.digits": _t(
        "Un numéro de téléphone ne contient que des chiffres.",
        "A phone number contains only digits.",
        "رقم الهاتف يحتوي على أرقام فقط."),
    "phone.format": _t(
        "Un numéro de téléphone français a 10 chiffres et commence par 0, par exemple "
        "06 12 34 56 78.",
        "A French phone number has 10 digits and starts with 0, for example 06 12 34 56 78.",
        "رقم الهاتف الفرنسي يتكون من 10 أرقام ويبدأ بـ 0، مثلًا 06 12 34 56 78."),
    # passwords
    "password.min_length": _t(
        "Le mot de passe doit avoir au moins {n} caractères.",
        "The password must have at least {n} characters.",
        "يجب أن تتكون كلمة المرور من {n} خانات على الأقل."),
    "password.upper": _t(
        "Le mot de passe doit contenir une majuscule (A, B, C…).",
        "The password must contain a capital letter (A, B, C…).",
        "يجب أن تحتوي كلمة المرور على حرف كبير (A، B، C…)."),
    "password.lower": _t(
        "Le mot de passe doit contenir une minuscule (a, b, c…).",
        "The password must contain a small letter (a, b, c…).",
        "يجب أن تحتوي كلمة المرور على حرف صغير (a، b، c…)."),
    "password.digit": _t(
        "Le mot de passe doit contenir un chiffre (0 à 9).",
        "The password must contain a digit (0 to 9).",
        "يجب أن تحتوي كلمة المرور على رقم (من 0 إلى 9)."),
    "password.special": _t(
        "Le mot de passe doit contenir un caractère spécial, par exemple ! ou ?",
        "The password must contain a special character, for example ! or ?",
        "يجب أن تحتوي كلمة المرور على رمز خاص، مثل ! أو ?"),
    "password.no_spaces": _t(
        "Le mot de passe ne doit pas contenir d'espace.",
        "The password must not contain spaces.",
        "يجب ألا تحتوي كلمة المرور على مسافات."),
    "password.confirm": _t(
        "Les deux mots de passe ne sont pas identiques : retapez le même mot de passe.",
        "The two passwords are not the same: type the same password again.",
        "كلمتا المرور غير متطابقتين: أعد كتابة كلمة المرور نفسها."),
    # numbers
    "number.format": _t(
        "Tapez un nombre, sans lettre, par exemple 850 ou 850,50.",
        "Type a number, without letters, for example 850 or 850.50.",
        "اكتب رقمًا بدون حروف، مثلًا 850 أو 850,50."),
    "number.min": _t(
        "Ce nombre est trop petit : le minimum est {min}.",
        "This number is too small: the minimum is {min}.",
        "هذا الرقم صغير جدًا: الحد الأدنى هو {min}."),
    "number.max": _t(
        "Ce nombre est trop grand : le maximum est {max}.",
        "This number is too large: the maximum is {max}.",
        "هذا الرقم كبير جدًا: الحد الأقصى هو {max}."),
    "digits.format": _t(
        "Tapez {count} chiffres, sans lettre.",
        "Type {count} digits, without letters.",
        "اكتب {count} أرقام بدون حروف."),
    # fields
    "persona.mismatch": _t(
        "Ce n'est pas ce qui est écrit sur votre fiche. Touchez « Vos informations pour cet "
        "exercice » pour la relire.",
        "This is not what your card says. Touch “Your details for this exercise” to read it "
        "again.",
        "هذا ليس ما هو مكتوب في بطاقتك. المس «معلوماتك لهذا التمرين» لقراءتها من جديد."),
    "expected.mismatch": _t(
        "Ce n'est pas la bonne réponse : relisez la page et essayez encore.",
        "That is not the right answer: read the page again and try once more.",
        "هذه ليست الإجابة الصحيحة: أعد قراءة الصفحة وحاول مرة أخرى."),
    "choice.required": _t(
        "Choisissez une réponse dans la liste.",
        "Choose an answer from the list.",
        "اختر إجابة من القائمة."),
    "choice.unknown": _t(
        "Cette réponse n'est pas dans la liste : choisissez-en une proposée.",
        "This answer is not in the list: choose one of those offered.",
        "هذه الإجابة ليست في القائمة: اختر واحدة من المقترحة."),
    "consent.required": _t(
        "Cochez la case pour dire que vous êtes d'accord : sinon le site ne vous laisse pas "
        "continuer.",
        "Tick the box to say you agree: otherwise the site does not let you go on.",
        "ضع علامة في الخانة لتقول إنك موافق: وإلا فلن يسمح لك الموقع بالمتابعة."),
    "document.required": _t(
        "Ajoutez le document demandé : un document scanné ici ou un exemple.",
        "Add the requested document: a document scanned here or a sample.",
        "أضف الوثيقة المطلوبة: وثيقة ممسوحة هنا أو نموذجًا."),
    "sms_code.wrong": _t(
        "Ce code n'est pas celui reçu par SMS. Regardez le téléphone à l'écran et recopiez "
        "les 6 chiffres.",
        "This is not the code received by text message. Look at the phone on the screen and "
        "copy the 6 digits.",
        "هذا ليس الرمز المستلم في الرسالة القصيرة. انظر إلى الهاتف على الشاشة وانسخ الأرقام الستة."),
    "captcha.wrong": _t(
        "Les caractères ne correspondent pas à l'image. Recopiez-les lettre par lettre, "
        "en respectant les majuscules.",
        "The characters do not match the picture. Copy them letter by letter, with the same "
        "capitals.",
        "الحروف لا تطابق الصورة. انسخها حرفًا حرفًا مع احترام الحروف الكبيرة."),
    # the simulated phone
    "sms.code": _t(
        "{operator} : votre code de confirmation est {code}. Ne le communiquez à personne.",
        "{operator}: your confirmation code is {code}. Do not share it with anyone.",
        "{operator}: رمز التأكيد الخاص بك هو {code}. لا تعطه لأي شخص."),
    # traps
    "session.expired": _t(
        "Votre session a expiré : vous êtes resté trop longtemps sans rien faire. Sur le vrai "
        "site aussi, il faut alors recommencer cette étape.",
        "Your session has expired: you stayed too long without doing anything. On the real "
        "site too, you then have to do this step again.",
        "انتهت صلاحية جلستك: بقيت وقتًا طويلًا دون أي نشاط. في الموقع الحقيقي أيضًا يجب "
        "إعادة هذه الخطوة."),
    "scam.link": _t(
        "Attention, ce lien était un piège : son adresse imite le site mais ce n'est pas lui. "
        "Un vrai site administratif ne vous fait jamais payer par un lien reçu ou affiché "
        "comme ça.",
        "Careful, this link was a trap: its address imitates the site but is not it. A real "
        "government site never makes you pay through a link received or shown like this.",
        "انتبه، هذا الرابط كان فخًا: عنوانه يقلد الموقع لكنه ليس هو. الموقع الإداري الحقيقي "
        "لا يطلب منك الدفع أبدًا عبر رابط كهذا."),
    # password rules shown before the field, ticked live
    "rule.min_length": _t("Au moins {n} caractères", "At least {n} characters",
                          "{n} خانات على الأقل"),
    "rule.upper": _t("Une majuscule", "A capital letter", "حرف كبير"),
    "rule.lower": _t("Une minuscule", "A small letter", "حرف صغير"),
    "rule.digit": _t("Un chiffre", "A digit", "رقم"),
    "rule.special": _t("Un caractère spécial (! ? # …)", "A special character (! ? # …)",
                       "رمز خاص (! ? # …)"),
    "rule.no_spaces": _t("Pas d'espace", "No spaces", "بدون مسافات"),
    # debrief
    "debrief.no_error": _t(
        "Vous êtes allé jusqu'au bout sans aucune erreur.",
        "You went all the way through without a single mistake.",
        "وصلت إلى النهاية دون أي خطأ."),
    "debrief.completed": _t(
        "Vous êtes allé jusqu'au bout de la démarche.",
        "You went all the way through the procedure.",
        "وصلت إلى نهاية الإجراء."),
    "debrief.not_completed": _t(
        "Vous vous êtes arrêté à l'étape {reached} sur {total}. Vous pourrez reprendre une "
        "autre fois.",
        "You stopped at step {reached} of {total}. You can try again another time.",
        "توقفت عند الخطوة {reached} من {total}. يمكنك المحاولة مرة أخرى لاحقًا."),
    "debrief.no_hint": _t(
        "Vous n'avez eu besoin d'aucune aide.",
        "You did not need any help.",
        "لم تحتج إلى أي مساعدة."),
    "debrief.page_ok": _t(
        "Page « {page} » : réussie du premier coup.",
        "Page “{page}”: right the first time.",
        "صفحة «{page}»: نجحت من المحاولة الأولى."),
    "debrief.field_errors": _t(
        "Page « {page} », case « {field} » : {count} essai(s) refusé(s).",
        "Page “{page}”, box “{field}”: {count} attempt(s) refused.",
        "صفحة «{page}»، خانة «{field}»: {count} محاولة (محاولات) مرفوضة."),
    "debrief.hints": _t(
        "Page « {page} » : vous avez demandé {count} aide(s).",
        "Page “{page}”: you asked for help {count} time(s).",
        "صفحة «{page}»: طلبت المساعدة {count} مرة (مرات)."),
    # guided mode: hints were shown without being asked, so nobody "asked" for them
    "debrief.guided": _t(
        "Vous avez fait l'exercice avec aide : chaque étape vous était montrée, sans avoir à "
        "la demander.",
        "You practised with help: each step was shown to you without your asking.",
        "تدربت مع المساعدة: كانت كل خطوة تُعرض عليك دون أن تطلبها."),
    "debrief.try_alone": _t(
        "La prochaine fois, essayez « Seul » : l'aide ne s'affiche que si vous la demandez, "
        "comme sur le vrai site.",
        "Next time, try “On my own”: help only appears if you ask for it, as on the real site.",
        "في المرة القادمة جرّب «وحدي»: لا تظهر المساعدة إلا إذا طلبتها، كما في الموقع الحقيقي."),
    "debrief.slow": _t(
        "Page « {page} » : vous avez pris du temps ({minutes} min). C'est normal au début ; "
        "sur le vrai site, préparez les papiers demandés à cette étape.",
        "Page “{page}”: you took your time ({minutes} min). That is normal at first; on the "
        "real site, get the papers for this step ready.",
        "صفحة «{page}»: استغرقت وقتًا ({minutes} د). هذا طبيعي في البداية؛ في الموقع الحقيقي "
        "جهّز الأوراق المطلوبة في هذه الخطوة."),
    "debrief.expired": _t(
        "Page « {page} » : la session a expiré. Sur le vrai site, préparez vos papiers avant "
        "de commencer.",
        "Page “{page}”: the session expired. On the real site, get your papers ready before "
        "you start.",
        "صفحة «{page}»: انتهت الجلسة. في الموقع الحقيقي، جهّز أوراقك قبل أن تبدأ."),
    "debrief.scam": _t(
        "Page « {page} » : vous avez touché un lien piège. Vérifiez toujours l'adresse du site.",
        "Page “{page}”: you touched a trap link. Always check the site's address.",
        "صفحة «{page}»: لمست رابطًا مزيفًا. تحقق دائمًا من عنوان الموقع."),
    "debrief.scam_avoided": _t(
        "Page « {page} » : vous n'avez pas touché le lien piège. Bravo.",
        "Page “{page}”: you did not touch the trap link. Well done.",
        "صفحة «{page}»: لم تلمس الرابط المزيف. أحسنت."),
}


def message(problem: Problem | str, lang: str = "fr") -> str:
    """The plain-language sentence for a problem, in ``lang``."""
    if isinstance(problem, str):
        problem = Problem(problem)
    text = MESSAGES.get(problem.key)
    if text is None:  # a programming error, but the resident still gets a usable sentence
        text = MESSAGES["expected.mismatch"]
    return text.format(lang, **dict(problem.params))
