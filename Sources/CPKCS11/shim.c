#include "CPKCS11.h"

#include <dlfcn.h>
#include <string.h>

static void copy_error(char *error, size_t errorLength, const char *text) {
    if (error == NULL || errorLength == 0) return;
    if (text == NULL) text = "unknown dynamic loader error";
    strncpy(error, text, errorLength - 1);
    error[errorLength - 1] = '\0';
}

CK_RV souverain_p11_load(const char *path, CK_FUNCTION_LIST_PTR *list, char *error, size_t errorLength) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        copy_error(error, errorLength, dlerror());
        return CKR_GENERAL_ERROR;
    }
    CK_C_GetFunctionList getFunctionList = (CK_C_GetFunctionList)dlsym(handle, "C_GetFunctionList");
    if (getFunctionList == NULL) {
        copy_error(error, errorLength, dlerror());
        return CKR_GENERAL_ERROR;
    }
    return getFunctionList(list);
}

CK_RV souverain_p11_initialize(CK_FUNCTION_LIST_PTR f) {
    CK_C_INITIALIZE_ARGS args;
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    return f->C_Initialize(&args);
}

CK_RV souverain_p11_get_slot_list(CK_FUNCTION_LIST_PTR f, CK_BBOOL tokenPresent, CK_SLOT_ID_PTR slots, CK_ULONG_PTR count) {
    return f->C_GetSlotList(tokenPresent, slots, count);
}

CK_RV souverain_p11_get_token_info(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
    return f->C_GetTokenInfo(slot, info);
}

CK_RV souverain_p11_open_session(CK_FUNCTION_LIST_PTR f, CK_SLOT_ID slot, CK_SESSION_HANDLE_PTR session) {
    return f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, session);
}

CK_RV souverain_p11_close_session(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session) {
    return f->C_CloseSession(session);
}

CK_RV souverain_p11_login_user(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, const unsigned char *pin, CK_ULONG pinLength) {
    return f->C_Login(session, CKU_USER, (CK_UTF8CHAR_PTR)pin, pinLength);
}

CK_RV souverain_p11_find_objects(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR template, CK_ULONG count,
                                 CK_OBJECT_HANDLE_PTR objects, CK_ULONG maxObjects, CK_ULONG_PTR found) {
    CK_RV rv = f->C_FindObjectsInit(session, template, count);
    if (rv != CKR_OK) return rv;
    rv = f->C_FindObjects(session, objects, maxObjects, found);
    CK_RV finalRV = f->C_FindObjectsFinal(session);
    return rv != CKR_OK ? rv : finalRV;
}

CK_RV souverain_p11_get_attribute_value(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                        CK_ATTRIBUTE_PTR template, CK_ULONG count) {
    return f->C_GetAttributeValue(session, object, template, count);
}

CK_RV souverain_p11_set_attribute_value(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                        CK_ATTRIBUTE_PTR template, CK_ULONG count) {
    return f->C_SetAttributeValue(session, object, template, count);
}

CK_RV souverain_p11_generate_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_MECHANISM_TYPE mechanism,
                                 CK_ATTRIBUTE_PTR template, CK_ULONG count, CK_OBJECT_HANDLE_PTR key) {
    CK_MECHANISM m = { mechanism, NULL, 0 };
    return f->C_GenerateKey(session, &m, template, count, key);
}

CK_RV souverain_p11_create_object(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR template, CK_ULONG count,
                                  CK_OBJECT_HANDLE_PTR object) {
    return f->C_CreateObject(session, template, count, object);
}

CK_RV souverain_p11_destroy_object(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object) {
    return f->C_DestroyObject(session, object);
}

CK_RV souverain_p11_wrap_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_MECHANISM_TYPE mechanism,
                             CK_OBJECT_HANDLE wrappingKey, CK_OBJECT_HANDLE key, unsigned char *wrapped, CK_ULONG_PTR wrappedLength) {
    CK_MECHANISM m = { mechanism, NULL, 0 };
    return f->C_WrapKey(session, &m, wrappingKey, key, wrapped, wrappedLength);
}

CK_RV souverain_p11_unwrap_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE session, CK_MECHANISM_TYPE mechanism,
                               CK_OBJECT_HANDLE unwrappingKey, const unsigned char *wrapped, CK_ULONG wrappedLength,
                               CK_ATTRIBUTE_PTR template, CK_ULONG count, CK_OBJECT_HANDLE_PTR key) {
    CK_MECHANISM m = { mechanism, NULL, 0 };
    return f->C_UnwrapKey(session, &m, unwrappingKey, (CK_BYTE_PTR)wrapped, wrappedLength, template, count, key);
}
