/* CPKCS11: the PKCS#11 header (p11-kit's pkcs11.h, see its notice) and a tiny shim that loads a
   module with dlopen and calls through its CK_FUNCTION_LIST, so Swift never juggles the raw
   function pointers. Every function returns the module's CK_RV unchanged; none logs anything. */
#ifndef SOUVERAIN_CPKCS11_H
#define SOUVERAIN_CPKCS11_H

#include <stddef.h>
#include "pkcs11.h"

/* Loads the module at `path` (dlopen, RTLD_NOW | RTLD_LOCAL) and returns its function list.
   On failure returns CKR_GENERAL_ERROR (dlopen or dlsym failed; the dlerror text is copied to
   `error`) or the module's C_GetFunctionList result. The handle is never closed: a PKCS#11
   module stays initialised for the life of the process. */
CK_RV souverain_p11_load(const char *path, CK_FUNCTION_LIST_PTR *list, char *error, size_t errorLength);

/* C_Initialize with CKF_OS_LOCKING_OK, so the module may be called from several threads. */
CK_RV souverain_p11_initialize(CK_FUNCTION_LIST_PTR f);
CK_RV souverain_p11_get_slot_list(CK_FUNCTION_LIST_PTR f, CK_BBOOL tokenPresent, CK_SLOT_ID_PTR slots, CK_ULONG_PTR count);
CK_RV souverain_p11_get_token_info(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info);
CK_RV souverain_p11_open_session(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot, CK_SESSION_HANDLE_PTR session);
CK_RV souverain_p11_close_session(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session);
CK_RV souverain_p11_login_user(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, const unsigned char *pin, CK_ULONG pinLength);
CK_RV souverain_p11_find_objects(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR template, CK_ULONG count,
                                 CK_OBJECT_HANDLE_PTR objects, CK_ULONG maxObjects, CK_ULONG_PTR found);
CK_RV souverain_p11_get_attribute_value(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                        CK_ATTRIBUTE_PTR template, CK_ULONG count);
CK_RV souverain_p11_set_attribute_value(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                        CK_ATTRIBUTE_PTR template, CK_ULONG count);
CK_RV souverain_p11_generate_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_MECHANISM_TYPE mechanism,
                                 CK_ATTRIBUTE_PTR template, CK_ULONG count, CK_OBJECT_HANDLE_PTR key);
CK_RV souverain_p11_create_object(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR template, CK_ULONG count,
                                  CK_OBJECT_HANDLE_PTR object);
CK_RV souverain_p11_destroy_object(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object);
/* C_WrapKey with a parameterless mechanism (CKM_AES_KEY_WRAP uses the RFC 3394 default IV). */
CK_RV souverain_p11_wrap_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_MECHANISM_TYPE mechanism,
                             CK_OBJECT_HANDLE wrappingKey, CK_OBJECT_HANDLE key, unsigned char *wrapped, CK_ULONG_PTR wrappedLength);
CK_RV souverain_p11_unwrap_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_MECHANISM_TYPE mechanism,
                               CK_OBJECT_HANDLE unwrappingKey, const unsigned char *wrapped, CK_ULONG wrappedLength,
                               CK_ATTRIBUTE_PTR template, CK_ULONG count, CK_OBJECT_HANDLE_PTR key);

#endif
